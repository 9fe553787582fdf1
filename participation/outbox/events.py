"""Writing events to the outbox inside the caller's transaction: the one way in.

Commands record events through their unit of work (participation.unit), which calls
`write`; the few batched statements on PostgreSQL insert their rows with `INSERT`,
the same column list, in a common table expression of their own statement.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock
from participation.outbox.envelope import Event
from participation.sql import run

INSERT = (
    "INSERT INTO outbox_event "
    "(name, subject_type, subject_id, municipality_id, actor_id, payload, created_at)"
)

_listeners: list[Any] = []


def on_commit(callback: Any) -> None:
    """Let a consumer wake at once after a commit instead of waiting for its next poll."""
    _listeners.append(callback)


def forget(callback: Any) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def committed() -> None:
    """Called by the unit of work once events it recorded are committed."""
    for callback in _listeners:
        callback()


async def write(connection: BaseDBAsyncClient, event: Event) -> None:
    """Append `event` in the caller's transaction."""
    await run(
        connection,
        f"{INSERT} VALUES ($1, $2, $3, $4, $5, $6, $7)",
        event.name,
        event.subject_type,
        event.subject_id,
        event.municipality_id,
        event.actor_id,
        json.dumps(event.payload),
        clock.now(),
    )
