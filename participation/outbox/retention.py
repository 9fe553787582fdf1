"""Retention: the outbox forgets events every consumer is done with, once they are old.

An event stays while a registered consumer may still need it (above that consumer's
watermark), and for `OUTBOX_RETENTION_DAYS` (default 30) in any case, for replays and
inquiries into what happened.
"""

from __future__ import annotations

import os
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from participation import clock
from participation.outbox import consumers
from participation.sql import run

DEFAULT_DAYS = 30


def retention() -> timedelta:
    """`OUTBOX_RETENTION_DAYS` from the environment; the error names the variable."""
    text = os.environ.get("OUTBOX_RETENTION_DAYS") or str(DEFAULT_DAYS)
    try:
        days = float(text)
    except ValueError:
        days = -1
    if days <= 0:
        raise ValueError(f"OUTBOX_RETENTION_DAYS must be a positive number of days, not {text!r}")
    return timedelta(days=days)


async def prune_events(older_than: timedelta | None = None) -> int:
    """Delete events older than `older_than` that every registered consumer has consumed,
    with their delivery rows; returns how many events went."""
    cutoff = clock.now() - (older_than if older_than is not None else retention())
    async with in_transaction() as conn:
        bound = await _consumed(conn)
        await run(
            conn,
            "DELETE FROM outbox_delivery WHERE event_id IN "
            f"(SELECT id FROM outbox_event WHERE created_at < $1{bound})",
            cutoff,
        )
        deleted = await run(
            conn, f"DELETE FROM outbox_event WHERE created_at < $1{bound} RETURNING id", cutoff
        )
    return len(deleted)


async def _consumed(conn: BaseDBAsyncClient) -> str:
    """The SQL condition on ids that every registered consumer has consumed."""
    names = [consumer.name for consumer in consumers.registered()]
    if not names:
        return ""
    marks = ", ".join(f"${n + 1}" for n in range(len(names)))
    found = await run(
        conn,
        "SELECT count(*) AS known, min(watermark) AS least FROM outbox_consumer "
        f"WHERE name IN ({marks})",
        *names,
    )
    # A consumer that never ran has no row yet: it has consumed nothing.
    least = int(found[0]["least"]) if found[0]["known"] == len(names) else 0
    return f" AND id <= {least}"
