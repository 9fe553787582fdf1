"""What moderators and the public read: the queue, the public log, an account's record.

The queue of a municipality is small — what people reported and nobody decided yet —
so it is read whole (at most QUEUE_SCAN items), ordered here and paged by offset. The
log only grows, so it is paged by id, newest first, over its (municipality_id, id) index.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Count

from participation.accounts.models import User
from participation.actors import Actor
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.errors import InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.moderation.actions import MODERATE_DISCUSSION
from participation.moderation.models import Flag, ModerationEntry
from participation.moderation.rules import awaits_review
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import require
from participation.suspensions.models import Suspension

QUEUE_SCAN = 1_000
RECENT = 20
BAD_CURSOR = Message("Malformed cursor; use the `next` value of a list.")

# A comment is in the queue while reports are open, the threshold hid it, or its author
# asked for a review since it was last hidden.
IN_QUEUE = (
    Q(flag_count__gt=0)
    | Q(hidden_pending_review=True)
    | Q(hidden_at__isnull=False, review_requested_at__gte=F("hidden_at"))
)


def _cursor(cursor: str | None) -> int | None:
    """The id or offset a `next` value holds; InvalidInput naming `cursor` if malformed."""
    if cursor is None:
        return None
    value = parse_id(cursor)
    if value is None:
        raise InvalidInput.on("cursor", BAD_CURSOR)
    return value


async def municipality_of(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


PAGES = {
    SubjectType.MANDATE: "/mandates/{id}",
    SubjectType.MEASURE: "/measures/{id}",
    SubjectType.VOTE: "/votes/{id}",
}


def subject_paths(threads: list[Thread]) -> dict[int, str]:
    """Thread id → the page its discussion is on."""
    return {t.id: PAGES[SubjectType(t.subject_type)].format(id=t.subject_id) for t in threads}


def comment_anchor(comment_id: int) -> str:
    return f"comment-{comment_id}"


def thread_anchor(thread_id: int) -> str:
    """The discussion section's anchor: one discussion per page, so the same on each."""
    return "discussion"


def _subject(thread: Thread, paths: dict[int, str]) -> dict[str, Any]:
    return {
        "type": thread.subject_type.value,
        "id": thread.subject_id,
        "thread_id": thread.id,
        "url": paths[thread.id],
    }


async def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    return dict(await User.filter(id__in=ids).values_list("id", "display_name")) if ids else {}


def _comment_view(comment: Comment, names: dict[int, str], path: str) -> dict[str, Any]:
    """A comment as moderators see it: its text too when hidden (but not when deleted)."""
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "stance": comment.stance.value,
        "official": comment.official,
        "body_html": None if comment.deleted_at else comment.body_html,
        # Moderators see whose it is, by id too: that is what a suspension names.
        "author": (
            {"user_id": comment.author_id, "display_name": names[comment.author_id]}
            if comment.author_id in names
            else None
        ),
        "hidden": comment.hidden_at is not None,
        "hidden_reason": comment.hidden_reason,
        "hidden_pending_review": comment.hidden_pending_review,
        "review_requested": awaits_review(comment) and not comment.hidden_pending_review,
        "deleted": comment.deleted_at is not None,
        "created_at": comment.created_at,
        "url": f"{path}#{comment_anchor(comment.id)}",
    }


async def _open_flags(comment_ids: list[int]) -> dict[int, list[Flag]]:
    flags: dict[int, list[Flag]] = {}
    for flag in await Flag.filter(comment_id__in=comment_ids, resolved_at__isnull=True).order_by(
        "id"
    ):
        flags.setdefault(flag.comment_id, []).append(flag)
    return flags


def _queue_order(comment: Comment) -> tuple[int, int, datetime, int]:
    """A review request first, then the most reported, then the longest waiting."""
    return (
        0 if awaits_review(comment) and not comment.hidden_pending_review else 1,
        -comment.flag_count,
        comment.created_at,
        comment.id,
    )


async def moderation_queue(
    actor: Actor | None, slug: str, limit: int = 25, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The items moderators of the municipality have to decide on, with the next page's
    cursor. Raises NotFound, NotAuthenticated, PermissionDenied and InvalidInput (cursor)."""
    municipality = await municipality_of(slug)
    require(actor, MODERATE_DISCUSSION, await place_of(municipality.id))
    offset = _cursor(cursor) or 0
    candidates = (
        await Comment.filter(IN_QUEUE, thread__municipality_id=municipality.id)
        .filter(deleted_at__isnull=True)
        .order_by("id")
        .limit(QUEUE_SCAN)
    )
    ordered = sorted(candidates, key=_queue_order)
    page = ordered[offset : offset + limit]
    more = offset + limit < len(ordered)
    threads = {t.id: t for t in await Thread.filter(id__in={c.thread_id for c in page})}
    paths = subject_paths(list(threads.values()))
    names = await _names({c.author_id for c in page})
    flags = await _open_flags([c.id for c in page])
    items = []
    for comment in page:
        open_flags = flags.get(comment.id, [])
        thread = threads[comment.thread_id]
        items.append(
            {
                "comment": _comment_view(comment, names, paths[thread.id]),
                "subject": _subject(thread, paths),
                "flags": comment.flag_count,
                "reasons": dict(Counter(f.reason.value for f in open_flags)),
                "notes": [f.text for f in open_flags if f.text],
                "first_flagged_at": open_flags[0].created_at if open_flags else None,
                "thread_locked": thread.locked_at is not None,
            }
        )
    return items, str(offset + limit) if more else None


async def open_items(municipality_ids: list[int]) -> dict[int, int]:
    """Municipality id → the number of items in its queue, for the moderators' header."""
    rows = (
        await Comment.filter(IN_QUEUE, thread__municipality_id__in=municipality_ids)
        .filter(deleted_at__isnull=True)
        .annotate(n=Count("id"))
        .group_by("thread__municipality_id")
        .values_list("thread__municipality_id", "n")
    )
    return {int(m): int(n) for m, n in rows}


async def moderation_queues(municipality_ids: list[int]) -> list[tuple[str, str, int]]:
    """(slug, name, open items) for each municipality, by name, for the header's links."""
    counts = await open_items(municipality_ids)
    rows = await Municipality.filter(id__in=municipality_ids).values_list("id", "slug", "name")
    return sorted(((slug, name, counts.get(m, 0)) for m, slug, name in rows), key=lambda r: r[1])


async def moderation_log(
    slug: str, limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The public log, newest first: what was done, where, why, when and in which role.
    Never the hidden text, never who wrote it, never who decided."""
    municipality = await municipality_of(slug)
    before = _cursor(cursor)
    query = ModerationEntry.filter(municipality_id=municipality.id)
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    thread_ids = {r.thread_id for r in rows if r.thread_id}
    threads = await Thread.filter(id__in=thread_ids) if thread_ids else []
    paths = subject_paths(threads)
    by_id = {t.id: t for t in threads}
    items = []
    for row in rows:
        thread = by_id.get(row.thread_id) if row.thread_id else None
        url = None
        if thread is not None:
            anchor = comment_anchor(row.comment_id) if row.comment_id else thread_anchor(thread.id)
            url = f"{paths[thread.id]}#{anchor}"
        items.append(
            {
                "id": row.id,
                "action": row.action.value,
                "subject": _subject(thread, paths) if thread else None,
                "comment_id": row.comment_id,
                "url": url,
                "reason": row.reason,
                "moderator_role": row.moderator_role,
                "automatic": row.moderator_role is None,
                "until": row.until,
                "created_at": row.created_at,
            }
        )
    return items, str(rows[-1].id) if more and rows else None


async def account_record(actor: Actor | None, slug: str, user_id: int) -> dict[str, Any]:
    """What a moderator sees of an account here: its display name, its recent comments
    (hidden ones with their text), the flags they received, its suspensions.

    Raises NotFound (municipality, account), NotAuthenticated, PermissionDenied."""
    municipality = await municipality_of(slug)
    require(actor, MODERATE_DISCUSSION, await place_of(municipality.id))
    user = await User.get_or_none(id=user_id) if parse_id(str(user_id)) else None
    if user is None:
        raise NotFound(Message("This account does not exist."))
    comments = (
        await Comment.filter(author_id=user.id, thread__municipality_id=municipality.id)
        .order_by("-id")
        .limit(RECENT)
    )
    threads = await Thread.filter(id__in={c.thread_id for c in comments})
    paths = subject_paths(threads)
    names = {user.id: user.display_name}
    received = (
        await Flag.filter(
            comment__author_id=user.id, comment__thread__municipality_id=municipality.id
        )
        .annotate(n=Count("id"))
        .group_by("reason")
        .values_list("reason", "n")
    )
    suspensions = await Suspension.filter(
        user_id=user.id, municipality_id=municipality.id
    ).order_by("-id")
    return {
        "user_id": user.id,
        "display_name": user.display_name,
        "comments": [_comment_view(c, names, paths[c.thread_id]) for c in comments],
        "flags_received": {str(reason): int(n) for reason, n in received},
        "suspensions": [
            {"id": s.id, "until": s.until, "reason": s.reason, "created_at": s.created_at}
            for s in suspensions
        ],
    }
