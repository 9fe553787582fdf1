"""What moderators did to her comment or her account: she is told, and why."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.deliberation import comment_data
from notifications.catalogue.facts import facts
from notifications.kinds import Category, Kind, Recipient
from notifications.models import Reason
from participation.deliberation.models import Comment
from participation.moderation.models import ModerationAction, ModerationEntry
from participation.outbox.envelope import Event
from participation.suspensions.models import Suspension


async def author(event: Event) -> list[Recipient]:
    comment = await Comment.get_or_none(id=event.payload["comment_id"]).only("id", "author_id")
    if comment is None or comment.author_id is None:
        return []
    return [Recipient(comment.author_id, Reason.DIRECT)]


async def suspended(event: Event) -> list[Recipient]:
    return [Recipient(event.subject_id, Reason.DIRECT)]


async def _reason(event: Event, actions: list[ModerationAction]) -> str | None:
    """The moderator's reason, from the moderation log: the comment keeps only the
    latest, and a restore clears it."""
    entry = (
        await ModerationEntry.filter(comment_id=event.payload["comment_id"], action__in=actions)
        .order_by("-id")
        .first()
    )
    return entry.reason if entry else None


async def hidden_data(event: Event) -> dict[str, Any]:
    """Her comment's subject and the reason; never who moderated it."""
    reason = await _reason(event, [ModerationAction.HIDE, ModerationAction.AUTO_HIDE])
    return {**await comment_data(event), "actor_name": None, "reason": reason}


async def restored_data(event: Event) -> dict[str, Any]:
    reason = await _reason(event, [ModerationAction.RESTORE])
    return {**await comment_data(event), "actor_name": None, "reason": reason}


async def suspension_data(event: Event) -> dict[str, Any]:
    suspension = await Suspension.get_or_none(id=event.payload["suspension_id"])
    data = await facts(
        event,
        "",
        "/me",
        reason=suspension.reason if suspension else None,
        until=suspension.until.isoformat() if suspension else None,
    )
    return {**data, "actor_name": None}


KINDS = (
    Kind("moderation:comment:hidden", Category.MODERATION, author, hidden_data, optional=False),
    Kind("moderation:comment:restored", Category.MODERATION, author, restored_data),
    Kind(
        "moderation:account:suspended",
        Category.MODERATION,
        suspended,
        suspension_data,
        optional=False,
    ),
)
