"""Moderators, discussions with a comment to act on, and flags on it, through the commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from participation import clock
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.mandates.models import Mandate
from participation.moderation import commands
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests.factories.accounts import person
from tests.factories.deliberation import comment, thread_of
from tests.factories.mandates import mandate
from tests.factories.municipalities import municipality


async def moderator(town: Municipality, name: str = "Mona Moderatorin") -> Actor:
    return await person(role=Role.MODERATOR, municipality=town, lives_in=town, name=name)


@dataclass(frozen=True)
class Discussion:
    town: Municipality
    mandate: Mandate
    thread: Thread
    author: Actor
    comment: Comment
    moderator: Actor


async def discussion(
    body: str = "Ein **guter** Punkt.", *, threshold: int | None = None
) -> Discussion:
    """A town with a mandate, its thread, one citizen's comment and a moderator."""
    town = await municipality()
    if threshold is not None:
        town.flag_threshold = threshold
        await town.save(update_fields=["flag_threshold"])
    author = await person(name="Anna Autorin", lives_in=town)
    subject = await mandate(author, town)
    thread = await thread_of(subject)
    row = await comment(author, thread, body)
    return Discussion(town, subject, thread, author, row, await moderator(town))


async def flagged(row: Comment, count: int, reason: str = "spam") -> list[Actor]:
    """`count` new people each flag `row`; they are returned."""
    thread = await Thread.get(id=row.thread_id)
    town = await Municipality.get(id=thread.municipality_id)
    flaggers = [await person(lives_in=town) for _ in range(count)]
    for flagger in flaggers:
        await commands.flag_comment(flagger, row.id, reason)
    return flaggers


def later(**delta: float) -> datetime:
    """A moment ahead of the domain's clock, for a suspension's end."""
    return clock.now() + timedelta(**delta)
