"""Applying a lifecycle move and recording it on the timeline, for people and the platform."""

from __future__ import annotations

from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock
from participation.accounts.actors import Actor
from participation.errors import Conflict
from participation.mandates import rules
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.timeline import entries as timeline


async def apply(
    conn: BaseDBAsyncClient,
    mandate: Mandate,
    target: Status,
    actor: Actor | None,
    reason: str | None,
) -> None:
    """Apply one lifecycle move if nobody moved the mandate first."""
    source = Status(mandate.status)
    now = clock.now()
    changes: dict[str, object] = {"status": target}
    if target == Status.COLLECTING:
        municipality = await Municipality.get(id=mandate.municipality_id)
        changes.update(
            published_at=now, closes_at=now + timedelta(days=municipality.signature_period_days)
        )
    if target in rules.FINAL:
        changes["closed_at"] = now
    moved = await Mandate.filter(id=mandate.id, status=source).using_db(conn).update(**changes)
    if not moved:
        raise Conflict(
            Message("Someone else changed this mandate a moment ago; reload and try again.")
        )
    await record(conn, mandate, source, target, actor, reason)


async def record(
    conn: BaseDBAsyncClient,
    mandate: Mandate,
    source: Status,
    target: Status,
    actor: Actor | None,
    reason: str | None,
    **extra: object,
) -> None:
    """The timeline entry and event `mandates:mandate:<target>` of a move already made."""
    data: dict[str, object] = {"from": source.value, "to": target.value, **extra}
    if reason:
        data["reason"] = reason
    await timeline.record(
        conn,
        mandate.id,
        "status",
        f"mandates:mandate:{target.value}",
        data,
        actor.user_id if actor else None,
    )
