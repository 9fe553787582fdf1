"""Casting ballots: every bad ballot refused with nothing stored, replacing, eligibility."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from participation import clock
from participation.accounts.authorization.actors import load_actor
from participation.accounts.models import Residency
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from participation.municipalities.models import District, Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Level
from participation.votes import casting, commands, secrecy
from participation.votes.models import Ballot, Participation, Rule, Vote, VoteStatus
from tests import factories
from tests.factories import votes as vote_factories
from tests.factories.mandates import time_travel

pytestmark = pytest.mark.usefixtures("database")


async def _nothing_stored(vote_id: int) -> None:
    assert await Ballot.filter(vote_id=vote_id).count() == 0
    assert await Participation.filter(vote_id=vote_id).count() == 0


async def _refused(vote: Vote, voter: Actor, choices: Any, message: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        await commands.cast_ballot(voter, vote.id, choices)
    assert [e.field for e in caught.value.errors] == ["choices"]
    assert message in caught.value.errors[0].message
    await _nothing_stored(vote.id)
    return caught.value


async def test_an_approval_ballot_is_counted_and_gets_a_receipt(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    a, b, *_ = await vote_factories.option_ids(vote.id)
    cast = await commands.cast_ballot(voter, vote.id, [b, a])
    assert cast.created
    assert secrecy.normalise_receipt(cast.receipt)
    ballot = await Ballot.get(vote_id=vote.id)
    assert ballot.choices == sorted([a, b])
    assert ballot.receipt_digest == secrecy.receipt_digest(cast.receipt)
    assert await commands.my_ballot(voter, vote.id) == sorted([a, b])
    event = await OutboxEvent.get(name="votes:ballot:cast")
    assert event.payload == {"vote_id": vote.id}


async def test_casting_again_replaces_the_ballot_and_its_receipt(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    first = await commands.cast_ballot(voter, vote.id, [a])
    old = await Ballot.get(vote_id=vote.id)
    second = await commands.cast_ballot(voter, vote.id, [b, c])
    assert not second.created
    assert second.receipt != first.receipt
    ballot = await Ballot.get(vote_id=vote.id)
    assert ballot.choices == [b, c]
    assert ballot.id != old.id
    assert ballot.receipt_digest == secrecy.receipt_digest(second.receipt)
    assert not await Ballot.filter(receipt_digest=secrecy.receipt_digest(first.receipt)).exists()
    assert await Participation.filter(vote_id=vote.id).count() == 1


async def test_two_ballots_of_one_person_at_once_leave_exactly_one(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    a, b, *_ = await vote_factories.option_ids(vote.id)
    outcomes = await asyncio.gather(
        *(commands.cast_ballot(voter, vote.id, [a if n % 2 else b]) for n in range(6))
    )
    assert [o.created for o in outcomes].count(True) == 1
    assert await Ballot.filter(vote_id=vote.id).count() == 1
    assert await Participation.filter(vote_id=vote.id).count() == 1


# -- every bad ballot ------------------------------------------------------------------------


async def test_over_the_count_cap(town: Municipality, council: Actor, voter: Actor) -> None:
    vote = await vote_factories.vote(council, town, max_choices=2)
    error = await _refused(
        vote, voter, await vote_factories.option_ids(vote.id), "More options chosen"
    )
    assert error.extra["max_choices"] == 2


async def test_over_the_budget(town: Municipality, council: Actor, voter: Actor) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.GREEDY)
    playground, cycle_path, benches, _ = await vote_factories.option_ids(vote.id)
    error = await _refused(vote, voter, [playground, cycle_path, benches], "more than the budget")
    assert error.extra == {"cost_cents": 110_000_00, "budget_cents": 100_000_00}


async def test_the_budget_cap_can_be_lifted(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.MES, limit_ballot_cost=False)
    everything = await vote_factories.option_ids(vote.id)
    assert (await commands.cast_ballot(voter, vote.id, everything)).created


async def test_budget_ballots_also_take_a_count_cap(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.GREEDY_THRESHOLD, max_choices=1)
    a, b, *_ = await vote_factories.option_ids(vote.id)
    await _refused(vote, voter, [a, b], "More options chosen")


@pytest.mark.parametrize("rule", [Rule.IRV, Rule.SCHULZE])
async def test_duplicate_ranks(
    rule: Rule, town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=rule)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    await _refused(vote, voter, {str(a): 1, str(b): 1}, "share a rank")
    await _refused(vote, voter, [a, b, a], "ranked twice")
    await _refused(vote, voter, {str(a): 0}, "start at 1")


@pytest.mark.parametrize("rule", [Rule.IRV, Rule.SCHULZE])
async def test_partial_rankings_count_and_ranks_only_order(
    rule: Rule, town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=rule)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    await commands.cast_ballot(voter, vote.id, {str(c): 7, str(a): 2})
    assert (await Ballot.get(vote_id=vote.id)).choices == [a, c]


@pytest.mark.parametrize(
    "choices",
    [[999_999], ["kein"], {"999999": 1}, [True], "alles", 5, None],
    ids=["unknown id", "text", "unknown key", "bool", "string", "number", "null"],
)
async def test_unknown_options_and_shapes(
    choices: Any, town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    with pytest.raises(InvalidInput) as caught:
        await commands.cast_ballot(voter, vote.id, choices)
    assert caught.value.errors[0].field == "choices"
    await _nothing_stored(vote.id)


async def test_an_option_of_another_vote_is_unknown(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    other = await vote_factories.vote(council, town)
    foreign = (await vote_factories.option_ids(other.id))[0]
    await _refused(vote, voter, [foreign], "no such option")


async def test_an_empty_ballot_is_refused(town: Municipality, council: Actor, voter: Actor) -> None:
    vote = await vote_factories.vote(council, town)
    await _refused(vote, voter, [], "at least one")


async def test_points_over_the_limits(town: Municipality, council: Actor, voter: Actor) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.CUMULATIVE)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    error = await _refused(vote, voter, {str(a): 4}, "on one option")
    assert error.extra == {"points_max_per_option": 3}
    await _refused(vote, voter, {str(a): 3, str(b): 3}, "in total")
    await _refused(vote, voter, {str(a): -1, str(b): 2}, "negative")
    await _refused(vote, voter, {str(a): 1.5}, "whole numbers")
    await _refused(vote, voter, {str(a): 0}, "at least one point")
    await commands.cast_ballot(voter, vote.id, {str(a): 3, str(c): 2, str(b): 0})
    assert (await Ballot.get(vote_id=vote.id)).choices == {str(a): 3, str(c): 2}


async def test_ordinal_ballots_rank_exactly_k(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, rule=Rule.ORDINAL_GREEDY)
    a, b, c, _ = await vote_factories.option_ids(vote.id)
    await _refused(vote, voter, [a], "exactly")
    await _refused(vote, voter, [a, b, c], "exactly")
    await commands.cast_ballot(voter, vote.id, [c, a])
    assert (await Ballot.get(vote_id=vote.id)).choices == [c, a]


# -- when and who ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [VoteStatus.SCHEDULED, VoteStatus.CLOSED, VoteStatus.PUBLISHED, VoteStatus.CANCELLED]
)
async def test_no_ballot_unless_open(
    status: VoteStatus, town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, status)
    options = await vote_factories.option_ids(vote.id)
    with pytest.raises(Conflict):
        await commands.cast_ballot(voter, vote.id, options[:1])
    await _nothing_stored(vote.id)


async def test_a_vote_opens_at_its_time_even_before_the_job_runs(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town, VoteStatus.SCHEDULED)
    options = await vote_factories.option_ids(vote.id)
    assert vote.opens_at is not None and vote.closes_at is not None
    with time_travel(vote.opens_at - timedelta(seconds=1)), pytest.raises(Conflict):
        await commands.cast_ballot(voter, vote.id, options[:1])
    with time_travel(vote.opens_at + timedelta(seconds=1)):
        assert (await commands.cast_ballot(voter, vote.id, options[:1])).created
    assert (await Vote.get(id=vote.id)).status == VoteStatus.OPEN
    with time_travel(vote.closes_at), pytest.raises(Conflict):
        await commands.cast_ballot(voter, vote.id, options[1:2])
    assert (await Ballot.get(vote_id=vote.id)).choices == options[:1]
    assert (await Vote.get(id=vote.id)).status == VoteStatus.CLOSED


async def test_the_ballot_is_checked_against_the_closing_time_inside_the_write(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    assert vote.closes_at is not None
    # The vote still reads open (no job ran), but its time is up.
    await Vote.filter(id=vote.id).update(closes_at=clock.now() - timedelta(seconds=1))
    with pytest.raises(Conflict):
        await casting.cast(vote.id, voter.user_id, options[:1])
    await _nothing_stored(vote.id)


async def test_unverified_and_anonymous_people_cannot_vote(
    town: Municipality, council: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    with pytest.raises(NotAuthenticated):
        await commands.cast_ballot(None, vote.id, options[:1])
    unverified = await factories.person(verified=False)
    with pytest.raises(PermissionDenied):
        await commands.cast_ballot(unverified, vote.id, options[:1])
    await _nothing_stored(vote.id)


async def _resident(person: Actor, municipality: Municipality, district: District | None) -> Actor:
    await Residency.create(
        user_id=person.user_id,
        municipality_id=municipality.id,
        district_id=district.id if district else None,
        source="test",
        verified_at=clock.now(),
    )
    actor = await load_actor(person.user_id, person.session_id)
    assert actor is not None
    return actor


async def test_the_vote_s_own_level_applies(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    assert town.vote_level == Level.EMAIL
    vote = await vote_factories.vote(council, town, eligibility_level=Level.RESIDENT)
    options = await vote_factories.option_ids(vote.id)
    with pytest.raises(PermissionDenied) as caught:
        await commands.cast_ballot(voter, vote.id, options[:1])
    assert caught.value.extra["needed_level"] == Level.RESIDENT
    resident = await _resident(voter, town, None)
    assert (await commands.cast_ballot(resident, vote.id, options[:1])).created


async def test_a_district_vote_needs_residency_in_that_district(
    town: Municipality, council: Actor
) -> None:
    mitte = await District.get(municipality_id=town.id, slug="mitte")
    nord = await District.get(municipality_id=town.id, slug="nord")
    vote = await vote_factories.vote(
        council, town, district="mitte", eligibility_level=Level.RESIDENT
    )
    options = await vote_factories.option_ids(vote.id)
    elsewhere = await _resident(await factories.person(), town, nord)
    with pytest.raises(PermissionDenied):
        await commands.cast_ballot(elsewhere, vote.id, options[:1])
    neighbour = await _resident(await factories.person(), town, mitte)
    assert (await commands.cast_ballot(neighbour, vote.id, options[:1])).created


async def test_one_s_own_ballot_is_shown_only_while_open(
    town: Municipality, council: Actor, voter: Actor
) -> None:
    vote = await vote_factories.vote(council, town)
    options = await vote_factories.option_ids(vote.id)
    assert await commands.my_ballot(voter, vote.id) is None
    await commands.cast_ballot(voter, vote.id, options[:1])
    other = await factories.person()
    assert await commands.my_ballot(other, vote.id) is None
    await commands.close_vote(council, vote.id, "Schluss.")
    with pytest.raises(Conflict):
        await commands.my_ballot(voter, vote.id)
