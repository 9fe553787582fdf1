"""Reading outcome ratings: the public comments, her own rating, and whether she may rate.

The summary itself (one GROUP BY for a page of mandates) is `rating.summaries`.
"""

from __future__ import annotations

from typing import Any

from participation import clock
from participation.actors import Actor
from participation.errors import InvalidInput
from participation.ids import parse_id
from participation.mandates.models import Mandate, Rating, Signature
from participation.mandates.rating import RATEABLE, editable_until, summaries
from participation.messages import Message


async def own_rating(actor: Actor | None, mandate_id: int) -> Rating | None:
    if actor is None:
        return None
    return await Rating.get_or_none(mandate_id=mandate_id, user_id=actor.user_id)


async def may_rate(actor: Actor | None, mandate: Mandate, mine: Rating | None) -> bool:
    """Whether `actor` may rate now, or change her rating: what the form is shown for."""
    if actor is None or mandate.status not in RATEABLE:
        return False
    if mine is not None:
        return clock.now() <= editable_until(mine)
    return await Signature.exists(mandate_id=mandate.id, user_id=actor.user_id)


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    last_id = parse_id(cursor)
    if last_id is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    return last_id


async def comments(
    mandate_id: int, limit: int = 20, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Ratings with a comment, newest first; the author's name only where she chose so."""
    query = Rating.filter(mandate_id=mandate_id).exclude(comment="")
    after = decode_cursor(cursor)
    if after is not None:
        query = query.filter(id__lt=after)
    rows = (
        await query.order_by("-id")
        .limit(limit + 1)
        .values(
            "id",
            "score",
            "comment",
            "comment_html",
            "show_name",
            "created_at",
            "updated_at",
            "user__display_name",
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "id": row["id"],
            "score": row["score"],
            "comment": row["comment"],
            "comment_html": row["comment_html"],
            "author": (
                {"display_name": row["user__display_name"]}
                if row["show_name"] and row["user__display_name"]
                else None
            ),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        for row in rows
    ]
    return items, str(rows[-1]["id"]) if more and rows else None


def mine_view(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {
        "id": rating.id,
        "score": rating.score,
        "comment": rating.comment,
        "comment_html": rating.comment_html,
        "show_name": rating.show_name,
        "created_at": rating.created_at,
        "updated_at": rating.updated_at,
        "editable_until": editable_until(rating),
    }


async def ratings_view(
    actor: Actor | None, mandate: Mandate, limit: int = 20, cursor: str | None = None
) -> dict[str, Any]:
    """The summary, a page of comments, and the caller's own rating and whether she may
    rate: what the API's ratings resource and the mandate page's section show."""
    items, following = await comments(mandate.id, limit, cursor)
    mine = await own_rating(actor, mandate.id)
    return {
        **(await summaries([mandate.id]))[mandate.id],
        "items": items,
        "next": following,
        "mine": mine_view(mine),
        "may_rate": await may_rate(actor, mandate, mine),
        "open": mandate.status in RATEABLE,
    }
