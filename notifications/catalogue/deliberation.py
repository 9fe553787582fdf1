"""Discussions: a reply to her comment, and new comments where she took part."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.audience import Query, mandate_people
from notifications.catalogue.facts import excerpt, facts
from notifications.kinds import Category, Fanout, Kind, Recipient
from notifications.models import Reason
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.deliberation.subjects import subject_of
from participation.errors import NotFound
from participation.outbox.envelope import Event
from participation.plans.models import Measure
from participation.votes.models import Vote


async def replied_to(event: Event) -> list[Recipient]:
    return [Recipient(event.subject_id, Reason.REPLY)]


async def _mandate_of(thread: Thread) -> int | None:
    """The mandate a thread is about, directly or through its measure or vote."""
    if thread.subject_type == SubjectType.MANDATE:
        return thread.subject_id
    if thread.subject_type == SubjectType.MEASURE:
        measure = await Measure.get_or_none(id=thread.subject_id).only("id", "mandate_id")
        return measure.mandate_id if measure else None
    vote = await Vote.get_or_none(id=thread.subject_id).only("id", "mandate_id")
    return vote.mandate_id if vote else None


async def participants(event: Event) -> Fanout:
    """Who wrote in the thread before, except the one this comment answers (a reply
    tells her on its own); an official statement also reaches the mandate's people."""
    query = Query()
    thread = query.integer(event.payload["thread_id"])
    comment = query.integer(event.payload["comment_id"])
    query.add(
        "SELECT c.author_id, 'participant' FROM comment c "
        f"WHERE c.thread_id = {thread} AND c.id < {comment} AND c.author_id IS NOT NULL "
        "AND c.author_id NOT IN (SELECT p.author_id FROM comment p JOIN comment n "
        f"ON p.id = COALESCE(n.reply_to_id, n.parent_id) WHERE n.id = {comment} "
        "AND p.author_id IS NOT NULL)"
    )
    if event.payload.get("official"):
        found = await Thread.get_or_none(id=event.payload["thread_id"])
        mandate_id = await _mandate_of(found) if found else None
        if mandate_id is not None:
            query.add(*mandate_people(query, mandate_id))
    return query.fanout()


async def comment_data(event: Event) -> dict[str, Any]:
    """The subject discussed, a link to the comment, and its start."""
    thread = await Thread.get_or_none(id=event.payload["thread_id"])
    comment_id = event.payload["comment_id"]
    title, link = "", f"/threads/{event.payload['thread_id']}"
    if thread is not None:
        try:
            subject = await subject_of(None, thread)
            title, link = subject.title, subject.link
        except NotFound:
            pass  # no longer public: the notification keeps the thread's own link
    bodies = await Comment.filter(id=comment_id).values_list("body", flat=True)
    return await facts(
        event,
        title,
        f"{link}#comment-{comment_id}",
        excerpt=excerpt(str(bodies[0])) if bodies else "",
        official=bool(event.payload.get("official")),
    )


KINDS = (
    Kind("deliberation:comment:replied", Category.DISCUSSIONS, replied_to, comment_data),
    Kind("deliberation:comment:posted", Category.DISCUSSIONS, participants, comment_data),
)
