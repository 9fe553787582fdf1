"""Reading a discussion: a thread, its comments page by page, the balanced view, a
comment's earlier versions.

Paging: the top-level comments are paged (keyset: a deep page costs what the first
does), each with all its replies in conversation order (depth first, oldest first),
so a page never cuts a conversation in two. Replies nest at most MAX_DEPTH deep, so
a page's replies take at most MAX_DEPTH queries however many there are.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise.expressions import Q

from participation.accounts.models import User
from participation.actors import Actor
from participation.deliberation import rules
from participation.deliberation.models import (
    MAX_DEPTH,
    Comment,
    CommentRevision,
    Endorsement,
    Stance,
    Thread,
)
from participation.deliberation.subjects import Subject
from participation.errors import InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message

BAD_CURSOR = Message("Malformed cursor; use the `next` value of a list.")


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    ENDORSED = "endorsed"


async def thread_view(thread: Thread, subject: Subject) -> dict[str, Any]:
    shown = await Comment.filter(
        thread_id=thread.id, hidden_at__isnull=True, deleted_at__isnull=True
    ).count()
    return {
        "id": thread.id,
        "subject": {
            "type": subject.type.value,
            "id": subject.id,
            "title": subject.title,
            "link": subject.link,
        },
        "locked": thread.locked_at is not None,
        "locked_at": thread.locked_at,
        "comment_count": shown,
        "created_at": thread.created_at,
    }


async def last_comment_id(thread_id: int) -> int:
    """The thread's newest comment id (0 for none): a page and its stream compare it, so a
    comment posted between the page's rendering and the stream's start is not missed."""
    newest = await Comment.filter(thread_id=thread_id).order_by("-id").first().only("id")
    return newest.id if newest else 0


def comment_view(
    comment: Comment,
    names: dict[int, str],
    endorsed: set[int],
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A comment as the API and the pages show it: no text once hidden or deleted."""
    hidden = comment.hidden_at is not None
    deleted = comment.deleted_at is not None
    name = names.get(comment.author_id) if comment.author_id else None
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "stance": Stance(comment.stance).value,
        "body_html": None if hidden or deleted else comment.body_html,
        "author": {"display_name": name} if name is not None else None,
        # For the pages (whose comment is it?); the API's model leaves it out.
        "author_id": comment.author_id,
        "official": comment.official,
        "official_role": comment.official_role,
        "official_department": comment.official_department,
        "endorsements": comment.endorsement_count,
        "endorsed_by_me": comment.id in endorsed,
        "hidden": hidden,
        "hidden_reason": comment.hidden_reason if hidden else None,
        "deleted": deleted,
        # For the moderation controls on the pages; the API's model leaves them out.
        "flag_count": comment.flag_count,
        "hidden_pending_review": comment.hidden_pending_review,
        "review_requested_at": comment.review_requested_at,
        "reply_to": reply_to,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


async def _names(comments: list[Comment]) -> dict[int, str]:
    ids = {c.author_id for c in comments if c.author_id}
    if not ids:
        return {}
    return dict(await User.filter(id__in=ids).values_list("id", "display_name"))


async def _endorsed(actor: Actor | None, comments: list[Comment]) -> set[int]:
    if actor is None or not comments:
        return set()
    rows = await Endorsement.filter(
        user_id=actor.user_id, comment_id__in=[c.id for c in comments]
    ).values_list("comment_id", flat=True)
    return {int(comment_id) for comment_id in rows}  # type: ignore[call-overload]


async def views(actor: Actor | None, comments: list[Comment]) -> list[dict[str, Any]]:
    """The comments' views, in the order given, with whom each reply answers when it
    was placed beside the comment it answers (a reply to a comment at MAX_DEPTH)."""
    by_id = {c.id: c for c in comments}
    missing = {
        c.reply_to_id
        for c in comments
        if c.reply_to_id and c.reply_to_id != c.parent_id and c.reply_to_id not in by_id
    }
    answered = {c.id: c for c in await Comment.filter(id__in=missing)} if missing else {}
    names = await _names([*comments, *answered.values()])
    endorsed = await _endorsed(actor, comments)
    result = []
    for c in comments:
        quoted = None
        if c.reply_to_id and c.reply_to_id != c.parent_id:
            target = by_id.get(c.reply_to_id) or answered.get(c.reply_to_id)
            author = names.get(target.author_id) if target and target.author_id else None
            quoted = {
                "id": c.reply_to_id,
                "author": {"display_name": author} if author is not None else None,
            }
        result.append(comment_view(c, names, endorsed, quoted))
    return result


def _after(sort: Sort, cursor: str | None) -> Q | None:
    """The keyset condition for the page after `cursor`, None for the first page."""
    if not cursor:
        return None
    if sort == Sort.ENDORSED:
        count_text, dot, id_text = cursor.partition(".")
        count = parse_id(count_text, 2**31 - 1) if count_text != "0" else 0
        last = parse_id(id_text)
        if not dot or count is None or last is None:
            raise InvalidInput.on("cursor", BAD_CURSOR)
        return Q(endorsement_count__lt=count) | Q(endorsement_count=count, id__lt=last)
    last = parse_id(cursor)
    if last is None:
        raise InvalidInput.on("cursor", BAD_CURSOR)
    return Q(id__lt=last) if sort == Sort.NEWEST else Q(id__gt=last)


_ORDER = {
    Sort.NEWEST: ("-id",),
    Sort.OLDEST: ("id",),
    Sort.ENDORSED: ("-endorsement_count", "-id"),
}


def _cursor_of(sort: Sort, comment: Comment) -> str:
    if sort == Sort.ENDORSED:
        return f"{comment.endorsement_count}.{comment.id}"
    return str(comment.id)


async def _conversations(roots: list[Comment]) -> list[Comment]:
    """The roots, each followed by its replies, depth first and oldest first."""
    children: dict[int, list[Comment]] = {}
    level = [r.id for r in roots]
    for _ in range(MAX_DEPTH):
        if not level:
            break
        replies = await Comment.filter(parent_id__in=level).order_by("id")
        for reply in replies:
            children.setdefault(reply.parent_id or 0, []).append(reply)
        level = [r.id for r in replies]
    ordered: list[Comment] = []

    def walk(comment: Comment) -> None:
        ordered.append(comment)
        for child in children.get(comment.id, []):
            walk(child)

    for root in roots:
        walk(root)
    return ordered


async def comments_page(
    actor: Actor | None,
    thread: Thread,
    sort: str = Sort.NEWEST,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of top-level comments, each with a `replies` list, and the next cursor."""
    try:
        order = Sort(sort)
    except ValueError:
        raise InvalidInput.on(
            "sort", Message("Sort by one of %(sorts)s.", sorts=", ".join(s for s in Sort))
        ) from None
    query = Comment.filter(thread_id=thread.id, parent_id__isnull=True)
    after = _after(order, cursor)
    if after is not None:
        query = query.filter(after)
    roots = await query.order_by(*_ORDER[order]).limit(limit + 1)
    more = len(roots) > limit
    roots = roots[:limit]
    shown = await views(actor, await _conversations(roots))
    page: list[dict[str, Any]] = []
    for view in shown:
        if view["parent_id"] is None:
            page.append({**view, "replies": []})
        else:
            page[-1]["replies"].append(view)
    return page, _cursor_of(order, roots[-1]) if more and roots else None


async def balanced(
    actor: Actor | None, thread: Thread, limit: int = 5
) -> dict[str, list[dict[str, Any]]]:
    """The most endorsed arguments for and against, at any depth, shown ones only."""
    limit = min(limit, rules.BALANCED_MAX)
    sides: dict[str, list[dict[str, Any]]] = {}
    for stance in (Stance.FOR, Stance.AGAINST):
        rows = (
            await Comment.filter(
                thread_id=thread.id,
                stance=stance,
                hidden_at__isnull=True,
                deleted_at__isnull=True,
            )
            .order_by("-endorsement_count", "id")
            .limit(limit)
        )
        sides[stance.value] = await views(actor, rows)
    return sides


async def history(comment: Comment) -> list[dict[str, Any]]:
    """The comment's earlier versions, oldest first; none for a hidden comment (its
    text is not public) and none for a deleted one, whose versions went with it."""
    if comment.hidden_at is not None:
        raise NotFound(Message("The history of a comment hidden by a moderator is not shown."))
    if comment.deleted_at is not None:
        raise NotFound(Message("This comment was deleted, and its earlier versions with it."))
    return [
        {"body_html": r.body_html, "stance": r.stance, "written_at": r.written_at}
        for r in await CommentRevision.filter(comment_id=comment.id).order_by("id")
    ]
