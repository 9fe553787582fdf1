"""What people are told of a mandate's public life: its status moves, its milestones and
its quorum, each to those connected to it."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.audience import Query, mandate_people, mandate_places, members
from notifications.catalogue.facts import entry_data, mandate_facts
from notifications.kinds import Category, Data, Fanout, Kind, Recipients
from participation.mandates.lifecycle import LIFECYCLE
from participation.mandates.models import Status
from participation.outbox.envelope import Event
from participation.permissions import Role

_STATUS = {LIFECYCLE.event_name(status): status for status in LIFECYCLE.events}


async def connected(event: Event) -> Fanout:
    """The mandate's co-signers, initiator and followers."""
    query = Query()
    return query.add(*mandate_people(query, event.subject_id)).fanout()


async def connected_and_council(event: Event) -> Fanout:
    """As `connected`, and the council: a submitted mandate is theirs to review."""
    query = Query()
    query.add(*mandate_people(query, event.subject_id))
    if event.municipality_id is not None:
        query.add(members(query, event.municipality_id, Role.COUNCIL.value, "council"))
    return query.fanout()


async def initiator_and_followers(event: Event) -> Fanout:
    """A milestone is news for who launched it and who follows, not for each co-signer."""
    query = Query()
    return query.add(*mandate_people(query, event.subject_id, signers=False)).fanout()


async def where_followed(event: Event) -> Fanout:
    """A mandate opened for co-signing, for those who follow its district or a topic."""
    query = Query()
    return query.add(*mandate_places(query, event.subject_id)).fanout()


def _status(event: Event) -> str:
    return _STATUS[event.name].value


async def status_data(event: Event) -> dict[str, Any]:
    """The status it moved to, by the event: by dispatch it may have moved on."""
    return await mandate_facts(event, event.subject_id, status=_status(event))


async def completed_data(event: Event) -> dict[str, Any]:
    """A completed mandate asks how well it was done, linking to the rating form."""
    return await mandate_facts(
        event,
        event.subject_id,
        status=_status(event),
        rating_url=f"/mandates/{event.subject_id}/ratings",
    )


async def milestone_data(event: Event) -> dict[str, Any]:
    share = entry_data(event).get("percent")
    return await mandate_facts(event, event.subject_id, share=share)


def _move(
    status: Status,
    recipients: Recipients = connected,
    data: Data = status_data,
) -> Kind:
    return Kind(LIFECYCLE.event_name(status), Category.MANDATES, recipients, data)


KINDS = (
    _move(Status.SUBMITTED, connected_and_council),
    _move(Status.IN_REVIEW),
    _move(Status.IN_PROGRESS),
    _move(Status.ACCEPTED),
    _move(Status.REJECTED),
    _move(Status.COMPLETED, data=completed_data),
    _move(Status.EXPIRED),
    _move(Status.WITHDRAWN),
    _move(Status.COLLECTING, where_followed),
    Kind("mandates:milestone:reached", Category.MANDATES, initiator_and_followers, milestone_data),
)
