"""A priority vote tells who follows it, its mandate or its district: when it opens,
the day before it closes (once), and when its results are out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications.models import FollowSubject, Reason
from participation import clock
from participation.mandates.models import Status
from participation.municipalities.models import District
from participation.outbox.models import OutboxEvent
from participation.votes import commands
from participation.votes.closing import announce_closing
from participation.votes.models import VoteStatus
from tests.factories import council_member, mandate, municipality, people, time_travel
from tests.factories.notifications import dispatch_outbox, follow, notes, told
from tests.factories.votes import vote

pytestmark = pytest.mark.usefixtures("database")


async def test_opening_and_results_reach_vote_mandate_and_district_followers() -> None:
    town = await municipality(quorum=2)
    initiator, by_vote, by_district, stranger = await people(4)
    council = await council_member(town)
    subject = await mandate(initiator, town, Status.SUBMITTED, council=council)
    nord = await District.get(municipality_id=town.id, slug="nord")
    await follow(by_district, town.id, FollowSubject.DISTRICT, nord.id)
    running = await vote(
        council, town, VoteStatus.SCHEDULED, mandate_id=subject.id, district="nord"
    )
    await follow(by_vote, town.id, FollowSubject.VOTE, running.id)
    await vote(council, town, VoteStatus.OPEN)  # elsewhere in town: nobody follows it
    await commands.transition_vote(council, running.id, VoteStatus.OPEN)
    await dispatch_outbox()
    reasons = await told("votes:vote:opened")
    assert reasons[by_vote.user_id] == Reason.FOLLOWER
    assert reasons[by_district.user_id] == Reason.FOLLOWER
    assert reasons[initiator.user_id] == Reason.INITIATOR
    assert stranger.user_id not in reasons
    note = next(n for n in await notes("votes:vote:opened") if n.recipient_id == by_vote.user_id)
    assert note.data["url"] == f"/votes/{running.id}"
    assert note.data["subject_title"] == running.title


async def test_closes_tomorrow_is_announced_once_a_day_before() -> None:
    town = await municipality()
    (fan,) = await people(1)
    council = await council_member(town)
    running = await vote(council, town, VoteStatus.OPEN, closes_at=clock.now() + timedelta(days=3))
    await follow(fan, town.id, FollowSubject.VOTE, running.id)
    assert await announce_closing() == 0
    assert running.closes_at is not None
    with time_travel(running.closes_at - timedelta(hours=20)):
        assert await announce_closing() == 1
        assert await announce_closing() == 0
    assert await OutboxEvent.filter(name="votes:vote:closing").count() == 1
    await dispatch_outbox()
    (note,) = await notes("votes:vote:closing")
    assert note.recipient_id == fan.user_id
    assert note.data["closes_at"] == running.closes_at.isoformat()
