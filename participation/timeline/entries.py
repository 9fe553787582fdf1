"""Writing a timeline entry together with the domain event that announces it."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.outbox import events
from participation.timeline.models import TimelineEntry


async def record(
    conn: BaseDBAsyncClient,
    mandate_id: int,
    kind: str,
    event: str,
    data: dict[str, Any],
    actor_id: int | None = None,
) -> TimelineEntry:
    """Add an entry to the mandate's public timeline and append `event` in the same transaction.

    The event carries the entry, so live streams and notifications need no second read.
    """
    entry = await TimelineEntry.create(
        mandate_id=mandate_id, kind=kind, data=data, actor_id=actor_id, using_db=conn
    )
    await events.append(
        conn,
        event,
        mandate_id=mandate_id,
        entry={
            "id": entry.id,
            "kind": entry.kind,
            "data": entry.data,
            "created_at": entry.created_at.isoformat(),
        },
    )
    return entry
