"""The mandates area's part in a person's export and erasure (see accounts.privacy).

Her signatures are exported but never erased: on deletion they stay as anonymous rows,
so counts and quorums do not change. Her drafts go with her, since nobody relies on them.
Her ratings of outcomes stay as anonymous scores, so published averages do not change,
but her comments go: words are personal data in a way a number is not.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.accounts.models import User
from participation.mandates.models import Mandate, Rating, Signature, Status


async def mandates_launched(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": m["id"],
            "municipality": m["municipality__slug"],
            "title": m["title"],
            "summary": m["summary"],
            "body": m["body"],
            "status": m["status"],
            "created_at": m["created_at"],
            "published_at": m["published_at"],
        }
        for m in await Mandate.filter(initiator_id=user_id)
        .order_by("id")
        .values(
            "id",
            "municipality__slug",
            "title",
            "summary",
            "body",
            "status",
            "created_at",
            "published_at",
        )
    ]


async def signatures_given(user_id: int) -> list[dict[str, Any]]:
    return [
        {"mandate_id": mandate_id, "title": title, "resident": resident, "signed_at": at}
        for mandate_id, title, resident, at in await Signature.filter(user_id=user_id)
        .order_by("id")
        .values_list("mandate_id", "mandate__title", "resident", "created_at")
    ]


async def erase_drafts(conn: BaseDBAsyncClient, user: User) -> None:
    """Topics, counter shards and timeline entries of the drafts cascade with them."""
    await Mandate.filter(initiator_id=user.id, status=Status.DRAFT).using_db(conn).delete()


async def ratings_given(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "mandate_id": r["mandate_id"],
            "title": r["mandate__title"],
            "score": r["score"],
            "comment": r["comment"],
            "show_name": r["show_name"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in await Rating.filter(user_id=user_id)
        .order_by("id")
        .values(
            "mandate_id",
            "mandate__title",
            "score",
            "comment",
            "show_name",
            "created_at",
            "updated_at",
        )
    ]


async def erase_rating_comments(conn: BaseDBAsyncClient, user: User) -> None:
    """The scores stay; the user link goes with the account row (SET NULL)."""
    await (
        Rating.filter(user_id=user.id)
        .using_db(conn)
        .update(comment="", comment_html="", show_name=False)
    )
