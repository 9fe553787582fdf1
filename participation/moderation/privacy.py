"""The moderation area's part in a person's export and erasure.

She gets the flags she gave, the suspensions she received and the decisions she took as
a moderator. On erasure her flags stay counted (the link to her goes with the account
row) but lose their text, which is hers; her suspensions go with the account; her
decisions stay in the public log, which never named her.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.accounts.models import User
from participation.moderation.models import Flag, ModerationEntry
from participation.suspensions.models import Suspension


async def flags_given(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "comment_id": f.comment_id,
            "reason": f.reason.value,
            "text": f.text,
            "created_at": f.created_at.isoformat(),
            "resolution": f.resolution.value if f.resolution else None,
        }
        for f in await Flag.filter(user_id=user_id).order_by("id")
    ]


async def suspensions_received(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "municipality_id": s.municipality_id,
            "until": s.until.isoformat(),
            "reason": s.reason,
            "created_at": s.created_at.isoformat(),
        }
        for s in await Suspension.filter(user_id=user_id).order_by("id")
    ]


async def decisions_taken(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "municipality_id": e.municipality_id,
            "action": e.action.value,
            "comment_id": e.comment_id,
            "thread_id": e.thread_id,
            "reason": e.reason,
            "role": e.moderator_role,
            "created_at": e.created_at.isoformat(),
        }
        for e in await ModerationEntry.filter(moderator_id=user_id).order_by("id")
    ]


async def erase_flag_texts(conn: BaseDBAsyncClient, user: User) -> None:
    await Flag.filter(user_id=user.id).using_db(conn).update(text=None)
