"""Notifications as people get them: follows, the dispatcher run over the outbox as the
worker runs it, and kinds of notification registered for one test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from notifications.dispatch import NOTIFIER
from notifications.kinds import Category, Kind, Recipient
from notifications.models import Cadence, Follow, FollowSubject, Notification, Reason
from participation import areas
from participation.actors import Actor
from participation.areas import Area
from participation.outbox.consumers import Runner
from participation.outbox.envelope import Event

_events = itertools.count(1_000_000)


async def follow(
    actor: Actor, municipality_id: int, subject: FollowSubject, key: object, active: bool = True
) -> Follow:
    """`actor` follows (or, with `active` false, explicitly unfollowed) a subject."""
    row, _ = await Follow.update_or_create(
        user_id=actor.user_id,
        municipality_id=municipality_id,
        subject_type=subject,
        subject_key=str(key),
        defaults={"active": active},
    )
    return row


async def dispatch_outbox() -> None:
    """Hand every event recorded so far to the dispatcher, as the worker would."""
    runner = Runner(NOTIFIER)
    while await runner.run_once():
        pass


async def told(event: str) -> dict[int, Reason]:
    """Who was told of the events named `event`, with her reason."""
    return {n.recipient_id: Reason(n.reason) for n in await Notification.filter(event_name=event)}


async def notes(event: str) -> list[Notification]:
    return list(await Notification.filter(event_name=event).order_by("id"))


QUORUM = "tests:mandate:quorum_reached"
DIGESTED = "tests:vote:opened"
HIDDEN = "tests:comment:hidden"


async def _nobody(event: Event) -> Sequence[Recipient]:
    return []


async def _data(event: Event) -> dict[str, Any]:
    return {"subject_title": "Test", "url": "/", "municipality_name": "Test", "actor_name": None}


def kinds() -> tuple[Kind, ...]:
    """A mandate kind, a vote kind emailed weekly by default, and one that stays in the inbox."""
    return (
        Kind(QUORUM, Category.MANDATES, _nobody, _data),
        Kind(DIGESTED, Category.VOTES, _nobody, _data, email=Cadence.WEEKLY),
        Kind(HIDDEN, Category.MODERATION, _nobody, _data, optional=False),
    )


@contextmanager
def registered() -> Iterator[tuple[Kind, ...]]:
    area = Area(name="tests_preferences", kinds=kinds())
    areas.register(area)
    try:
        yield area.kinds
    finally:
        areas.unregister(area)


async def notification(
    recipient: Actor,
    event: str = "deliberation:comment:posted",
    *,
    subject_id: int = 1,
    event_id: int | None = None,
    **data: Any,
) -> Notification:
    """A notification in her inbox, as the dispatcher writes it."""
    number = event_id if event_id is not None else next(_events)
    return await Notification.create(
        recipient_id=recipient.user_id,
        event_id=number,
        event_name=event,
        reason=Reason.PARTICIPANT,
        municipality_id=None,
        subject_type="thread",
        subject_id=subject_id,
        group_key=f"{event}:thread:{subject_id}",
        data={
            "subject_title": data.pop("subject_title", f"Thema {subject_id}"),
            "url": data.pop("url", f"/mandates/{subject_id}#comment-{number}"),
            "municipality_name": "Gemeinde",
            "actor_name": data.pop("actor_name", "Ben"),
            **data,
        },
    )
