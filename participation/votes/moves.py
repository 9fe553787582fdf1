"""Applying a lifecycle move and recording it, for people and the platform alike."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock
from participation.accounts.actors import Actor
from participation.errors import Conflict
from participation.messages import Message
from participation.outbox import events
from participation.timeline import entries as timeline
from participation.votes.lifecycle import EVENT_NAMES
from participation.votes.models import Vote, VoteStatus


async def apply(
    conn: BaseDBAsyncClient,
    vote: Vote,
    target: VoteStatus,
    actor: Actor | None,
    reason: str | None = None,
    **changes: object,
) -> None:
    """Move `vote` to `target` if nobody moved it first, and record the move."""
    source = VoteStatus(vote.status)
    moved = (
        await Vote.filter(id=vote.id, status=source)
        .using_db(conn)
        .update(status=target, updated_at=clock.now(), **changes)
    )
    if not moved:
        raise Conflict(
            Message("Someone else changed this vote a moment ago; reload and try again.")
        )
    await record(conn, vote, source, target, actor, reason)


async def record(
    conn: BaseDBAsyncClient,
    vote: Vote,
    source: VoteStatus,
    target: VoteStatus,
    actor: Actor | None,
    reason: str | None = None,
    **extra: object,
) -> None:
    """Event `votes:vote:<move>` and, for a public vote of a mandate, its timeline entry."""
    name = f"votes:vote:{EVENT_NAMES[target]}"
    data: dict[str, Any] = {
        "vote_id": vote.id,
        "title": vote.title,
        "from": source.value,
        "to": target.value,
        **extra,
    }
    if reason:
        data["reason"] = reason
    actor_id = actor.user_id if actor else None
    # A draft was never public: its cancellation stays off the mandate's timeline.
    public = source != VoteStatus.DRAFT or target == VoteStatus.SCHEDULED
    if vote.mandate_id is not None and public:
        await timeline.record(conn, vote.mandate_id, "vote", name, data, actor_id)
    else:
        await events.append(conn, name, **data)
