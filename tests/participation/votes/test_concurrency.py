"""Closing while ballots arrive, on PostgreSQL: each ballot is counted or refused, none lost."""

from __future__ import annotations

import asyncio

import pytest

from participation.actors import Actor
from participation.errors import Conflict
from participation.votes import commands, secrecy
from participation.votes.casting import Cast
from participation.votes.models import Ballot, Participation, Vote, VoteStatus
from tests import factories
from tests.factories import votes as vote_factories

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database")]

VOTERS = 160


async def test_every_acknowledged_ballot_is_counted_and_every_refused_one_is_not() -> None:
    town = await factories.municipality()
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    voters = await asyncio.gather(*(factories.person() for _ in range(VOTERS)))
    done = 0
    halfway = asyncio.Event()

    async def cast(voter: Actor, n: int) -> Cast | None:
        nonlocal done
        # Ballots keep arriving over a while, as they would from people, not all at once.
        await asyncio.sleep(n * 0.004)
        try:
            return await commands.cast_ballot(voter, vote.id, [options[n % len(options)]])
        except Conflict:
            return None
        finally:
            done += 1
            if done == VOTERS // 3:
                halfway.set()

    async def close() -> None:
        await halfway.wait()
        await commands.close_vote(council, vote.id, "Schluss mitten im Andrang.")

    *outcomes, _ = await asyncio.gather(
        *(cast(voter, n) for n, voter in enumerate(voters)), close()
    )
    accepted = [o for o in outcomes if o is not None]
    refused = len(outcomes) - len(accepted)
    assert accepted and refused, "the close must land while ballots are still arriving"
    closed = await Vote.get(id=vote.id)
    assert closed.status == VoteStatus.CLOSED
    assert closed.turnout == len(accepted)
    digests = set(await Ballot.filter(vote_id=vote.id).values_list("receipt_digest", flat=True))
    assert digests == {secrecy.receipt_digest(o.receipt) for o in accepted}
    assert await Participation.filter(vote_id=vote.id).count() == len(accepted)
    published = await commands.publish_vote(council, vote.id)
    assert published.result is not None and published.result["turnout"] == len(accepted)


async def test_one_person_casting_many_at_once_leaves_one_ballot() -> None:
    town = await factories.municipality()
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    voter = await factories.person()
    outcomes = await asyncio.gather(
        *(commands.cast_ballot(voter, vote.id, [options[n % 4]]) for n in range(20))
    )
    assert [o.created for o in outcomes].count(True) == 1
    ballots = await Ballot.filter(vote_id=vote.id)
    assert len(ballots) == 1
    assert ballots[0].receipt_digest in {secrecy.receipt_digest(o.receipt) for o in outcomes}
