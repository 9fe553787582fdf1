"""The deliberation area's part in a person's export and in erasing her account.

Export: her comments (her own text also when a moderator hid it) with their earlier
versions, and her endorsements.

Erasure treats her comments as if she had deleted them herself: the text and its
versions go, the row stays (the replies keep their place) and shows "deleted by the
author"; the link to her goes with the account row (SET NULL). Her endorsements are
removed with the counters lowered by them, so every count stays the number of rows
behind it: support from an account that no longer exists is not kept.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock
from participation.accounts.models import User
from participation.deliberation.models import Comment, CommentRevision, Endorsement
from participation.sql import run


async def comments_written(user_id: int) -> list[dict[str, Any]]:
    comments = await Comment.filter(author_id=user_id).order_by("id")
    revisions: dict[int, list[dict[str, Any]]] = {}
    for r in await CommentRevision.filter(comment_id__in=[c.id for c in comments]).order_by("id"):
        revisions.setdefault(r.comment_id, []).append(
            {"body": r.body, "stance": r.stance, "written_at": r.written_at}
        )
    return [
        {
            "id": c.id,
            "thread_id": c.thread_id,
            "parent_id": c.parent_id,
            "stance": c.stance,
            "body": c.body,
            "official": c.official,
            "created_at": c.created_at,
            "edited_at": c.edited_at,
            "deleted_at": c.deleted_at,
            "hidden_at": c.hidden_at,
            "hidden_reason": c.hidden_reason,
            "earlier_versions": revisions.get(c.id, []),
        }
        for c in comments
    ]


async def endorsements_given(user_id: int) -> list[dict[str, Any]]:
    return [
        {"comment_id": comment_id, "created_at": created_at}
        for comment_id, created_at in await Endorsement.filter(user_id=user_id)
        .order_by("id")
        .values_list("comment_id", "created_at")
    ]


async def erase_comments(conn: BaseDBAsyncClient, user: User) -> None:
    ids = await Comment.filter(author_id=user.id).using_db(conn).values_list("id", flat=True)
    if not ids:
        return
    await CommentRevision.filter(comment_id__in=ids).using_db(conn).delete()
    await (
        Comment.filter(id__in=ids, deleted_at__isnull=True)
        .using_db(conn)
        .update(deleted_at=clock.now())
    )
    await Comment.filter(id__in=ids).using_db(conn).update(body="", body_html="")


_UNCOUNT = (
    "UPDATE comment SET endorsement_count = endorsement_count - 1 WHERE id IN "
    "(SELECT comment_id FROM comment_endorsement WHERE user_id = $1)"
)


async def erase_endorsements(conn: BaseDBAsyncClient, user: User) -> None:
    await run(conn, _UNCOUNT, user.id)
    await Endorsement.filter(user_id=user.id).using_db(conn).delete()
