"""The platform's own moves: votes open, close and publish when their time comes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.votes import clockwork, commands
from participation.votes.models import Vote, VoteStatus
from tests import factories
from tests.factories import votes as vote_factories
from tests.factories.mandates import time_travel

pytestmark = pytest.mark.usefixtures("database")


async def test_the_job_opens_closes_and_publishes_at_the_right_times(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town, VoteStatus.SCHEDULED)
    assert vote.opens_at is not None and vote.closes_at is not None
    assert await clockwork.advance_votes() == {"opened": 0, "closed": 0, "published": 0}
    with time_travel(vote.opens_at):
        assert (await clockwork.advance_votes())["opened"] == 1
        opened = await Vote.get(id=vote.id)
        assert opened.status == VoteStatus.OPEN and opened.ballot_key
        options = await vote_factories.option_ids(vote.id)
        await commands.cast_ballot(await factories.person(), vote.id, options[:2])
    with time_travel(vote.closes_at - timedelta(seconds=1)):
        assert (await clockwork.advance_votes())["closed"] == 0
    with time_travel(vote.closes_at):
        assert await clockwork.advance_votes() == {"opened": 0, "closed": 1, "published": 1}
    published = await Vote.get(id=vote.id)
    assert published.status == VoteStatus.PUBLISHED
    assert published.ballot_key is None
    assert published.turnout == 1
    assert published.closes_at == vote.closes_at
    assert published.result is not None and published.result["turnout"] == 1
    names = await OutboxEvent.filter(name__startswith="votes:vote:").values_list("name", flat=True)
    assert names[-3:] == ["votes:vote:opened", "votes:vote:closed", "votes:vote:published"]


async def test_looking_at_a_vote_after_its_closing_time_closes_it(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    assert vote.closes_at is not None
    with time_travel(vote.closes_at + timedelta(seconds=5)):
        seen = await commands.get_visible(None, vote.id)
    assert seen.status == VoteStatus.CLOSED
    assert seen.turnout == 0


async def test_a_failing_count_leaves_the_vote_closed_for_the_next_run(
    town: Municipality, council: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    vote = await vote_factories.vote(council, town, VoteStatus.CLOSED)

    def broken(*args: object) -> object:
        raise RuntimeError("counting failed")

    monkeypatch.setattr("participation.votes.outcome.result_of", broken)
    assert (await clockwork.advance_votes())["published"] == 0
    still = await Vote.get(id=vote.id)
    # Still closed for the next run, and the key that linked ballots to people is gone.
    assert still.status == VoteStatus.CLOSED and still.ballot_key is None
    monkeypatch.undo()
    assert (await clockwork.advance_votes())["published"] == 1
