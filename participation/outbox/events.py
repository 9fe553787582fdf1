"""Appending domain events to the outbox inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.outbox.models import OutboxEvent

_listeners: list[Any] = []


def on_commit_nudge(callback: Any) -> None:
    """Let the dispatcher wake at once instead of waiting for its next poll."""
    _listeners.append(callback)


def forget_nudge(callback: Any) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def nudge() -> None:
    for callback in _listeners:
        callback()


async def append(
    connection: BaseDBAsyncClient,
    name: str,
    *,
    mandate_id: int | None = None,
    **payload: Any,
) -> OutboxEvent:
    """Record event `name` (``area:subject:action``) in the same transaction as the change."""
    return await OutboxEvent.create(
        name=name, mandate_id=mandate_id, payload=payload, using_db=connection
    )
