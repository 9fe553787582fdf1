"""Threads and comments: as rows, and through the commands.

Through the deliberation commands (`post`) where a test is about what a person does;
the rows (`comment`) are for the tests of what comes after a comment exists
(moderation, pages, the log).
"""

from __future__ import annotations

import itertools

from participation import text
from participation.actors import Actor
from participation.deliberation import commands
from participation.deliberation.models import Comment, Stance, SubjectType, Thread
from participation.mandates.models import Mandate

_numbers = itertools.count(1)


async def thread_of(mandate: Mandate) -> Thread:
    """The mandate's thread, opened here if the mandate was made without one."""
    thread, _ = await Thread.get_or_create(
        subject_type=SubjectType.MANDATE,
        subject_id=mandate.id,
        defaults={"municipality_id": mandate.municipality_id},
    )
    return thread


async def comment(
    author: Actor,
    thread: Thread,
    body: str = "Ein **guter** Punkt.",
    *,
    stance: Stance = Stance.NEUTRAL,
    parent: Comment | None = None,
) -> Comment:
    return await Comment.create(
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        depth=min(parent.depth + 1, 3) if parent else 0,
        author_id=author.user_id,
        stance=stance,
        body=body,
        body_html=text.render_markdown(body),
    )


async def post(
    author: Actor,
    thread: Thread,
    body: str | None = None,
    *,
    stance: str = "neutral",
    parent: Comment | None = None,
    official: bool = False,
) -> Comment:
    """A comment posted through the command; a unique body unless one is given, since the
    same text twice in ten minutes is refused."""
    return await commands.post_comment(
        author,
        thread.id,
        body or f"Beitrag {next(_numbers)}: ein Argument.",
        stance,
        parent.id if parent else None,
        official,
    )
