"""Publishing: the count by each rule, the secrecy it leaves behind, and the recount anyone
can make from the published file."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from tortoise.connection import connections

from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.sql import run
from participation.votes import commands, queries, secrecy
from participation.votes.models import (
    Ballot,
    Participation,
    PublishedBallot,
    Rule,
    Vote,
    VoteStatus,
)
from participation.votes.tally import pabulib, recount, rules
from tests import factories
from tests.factories import votes as vote_factories

pytestmark = pytest.mark.usefixtures("database")


async def _vote_with_ballots(
    council: Actor, town: Municipality, rule: Rule, ballots: list[Any], **overrides: Any
) -> tuple[Vote, list[int], list[str]]:
    """An open vote of `rule` in which one new person casts each ballot (given as option
    positions 0..3, or position → points); returns the vote, its option ids and receipts."""
    vote = await vote_factories.vote(council, town, rule=rule, **overrides)
    ids = await vote_factories.option_ids(vote.id)
    receipts = []
    for ballot in ballots:
        voter = await factories.person()
        if isinstance(ballot, dict):
            choices: Any = {str(ids[k]): v for k, v in ballot.items()}
        else:
            choices = [ids[k] for k in ballot]
        receipts.append((await commands.cast_ballot(voter, vote.id, choices)).receipt)
    return vote, ids, receipts


async def _close_and_publish(council: Actor, vote: Vote) -> Vote:
    await commands.close_vote(council, vote.id, "Auszählung im Test.")
    return await commands.publish_vote(council, vote.id)


async def test_published_approval_result_ranks_by_approvals(
    town: Municipality, council: Actor
) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.APPROVAL, [[0, 1], [1], [1, 2], [3]], max_choices=2
    )
    published = await _close_and_publish(council, vote)
    result = published.result
    assert result is not None
    assert published.status == VoteStatus.PUBLISHED
    assert result["rule"] == "approval" and result["vote_rule"] == "approval"
    assert result["winners"] == [str(ids[1]), str(ids[0]), str(ids[2]), str(ids[3])]
    assert result["details"]["scores"][str(ids[1])] == 3
    assert result["turnout"] == 4 and result["quorum_met"]
    assert "order of the ballot" in result["tie_break"]


async def test_greedy_funds_by_votes_within_the_budget(town: Municipality, council: Actor) -> None:
    # Costs: 40k, 60k, 10k, 20k of a 100k budget.
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.GREEDY, [[1], [1, 3], [1], [0, 2], [0]]
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["winners"] == [str(ids[1]), str(ids[0])]
    assert result["details"]["spent"] == 100_000_00


async def test_greedy_threshold_skips_projects_below_it(town: Municipality, council: Actor) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.GREEDY_THRESHOLD, [[1], [1], [2], [3]], min_votes=2
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["winners"] == [str(ids[1])]
    decisions = {r["project"]: r["decision"] for r in result["rounds"]}
    assert decisions[str(ids[2])] == "below threshold"


async def test_equal_shares_runs_with_add_one_and_comparison(
    town: Municipality, council: Actor
) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.MES, [[1], [1], [1], [0, 2], [2, 3]]
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["rule"] == "mes-add1-comparison"
    assert "comparison" in result["details"]
    assert sum(c for i, c in zip(ids, [40_000_00, 60_000_00, 10_000_00, 20_000_00], strict=True)
               if str(i) in result["winners"]) <= 100_000_00  # fmt: skip


async def test_ordinal_greedy_scores_k_to_1(town: Municipality, council: Actor) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.ORDINAL_GREEDY, [[2, 3], [2, 0], [3, 2]]
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["details"]["scores"][str(ids[2])] == 5
    assert result["winners"][0] == str(ids[2])


async def test_irv_publishes_its_rounds(town: Municipality, council: Actor) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.IRV, [[0, 1], [0], [1, 0], [2, 1], [2, 1]]
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["winners"] == [str(ids[1])] or result["winners"] == [str(ids[0])]
    assert result["rounds"][0]["counts"][str(ids[0])] == 2
    assert result["rounds"][-1]["elected"] == result["winners"][0]


async def test_cumulative_sums_points(town: Municipality, council: Actor) -> None:
    vote, ids, _ = await _vote_with_ballots(
        council, town, Rule.CUMULATIVE, [{0: 3, 1: 2}, {1: 3}, {2: 1}]
    )
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["winners"][0] == str(ids[1])
    assert result["details"]["scores"][str(ids[1])] == 5


async def test_below_the_minimum_turnout_the_quorum_is_not_met(
    town: Municipality, council: Actor
) -> None:
    vote, _, _ = await _vote_with_ballots(council, town, Rule.APPROVAL, [[0], [1]], min_turnout=3)
    result = (await _close_and_publish(council, vote)).result
    assert result is not None
    assert result["quorum_met"] is False
    assert result["winners"] == [] and result["turnout"] == 2


# -- secrecy ----------------------------------------------------------------------------------


async def test_after_publication_nothing_links_a_ballot_to_a_person(
    town: Municipality, council: Actor
) -> None:
    vote, _, receipts = await _vote_with_ballots(
        council, town, Rule.APPROVAL, [[0], [1], [2], [0, 1]]
    )
    before = {b.id: b.slot for b in await Ballot.filter(vote_id=vote.id)}
    published = await _close_and_publish(council, vote)
    assert published.ballot_key is None
    after = await PublishedBallot.filter(vote_id=vote.id)
    assert len(after) == 4
    assert not {b.id for b in after} & set(before)
    # Published ballots have no slot at all, so none computed earlier finds one.
    assert not await Ballot.filter(vote_id=vote.id).exists()
    # The ballots keep their receipts, so every voter can still find hers counted.
    assert {b.receipt_digest for b in after} == {secrecy.receipt_digest(r) for r in receipts}
    # No column of a ballot names a person or a time.
    columns = await _columns("vote_ballot")
    assert columns == {"id", "vote_id", "slot", "choices", "receipt_digest"}
    assert await _columns("vote_published_ballot") == {"id", "vote_id", "choices", "receipt_digest"}
    assert await Participation.filter(vote_id=vote.id).count() == 4


async def _columns(table: str) -> set[str]:
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        rows = await run(
            connection,
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1",
            table,
        )
    else:
        rows = await run(connection, f"SELECT name FROM pragma_table_info('{table}')")
    return {row["name"] for row in rows}


async def test_a_cancelled_vote_keeps_no_ballots(town: Municipality, council: Actor) -> None:
    vote, _, _ = await _vote_with_ballots(council, town, Rule.APPROVAL, [[0], [1]])
    cancelled = await commands.cancel_vote(council, vote.id, "Fehler im Stimmzettel.")
    assert cancelled.ballot_key is None and cancelled.result is None
    assert await Ballot.filter(vote_id=vote.id).count() == 0


async def test_receipts_are_public_digests_in_their_own_order(
    town: Municipality, council: Actor
) -> None:
    vote, _, receipts = await _vote_with_ballots(council, town, Rule.APPROVAL, [[0], [1], [2]])
    await _close_and_publish(council, vote)
    digests = await queries.receipts(vote.id)
    assert digests == sorted(secrecy.receipt_digest(r) for r in receipts)
    assert await queries.counted(vote.id, secrecy.receipt_digest(receipts[0]))
    assert await queries.receipts(vote.id, after=digests[0]) == digests[1:]


# -- the published file ------------------------------------------------------------------------


async def _export(vote: Vote) -> str:
    return await queries.pabulib_file(await Vote.get(id=vote.id))


RECOUNTED = {
    Rule.GREEDY: None,
    Rule.GREEDY_THRESHOLD: None,
    Rule.MES: None,
    Rule.ORDINAL_GREEDY: None,
    Rule.IRV: "irv",
    Rule.SCHULZE: "schulze",
}


@pytest.mark.parametrize("rule", list(RECOUNTED), ids=lambda r: r.value)
async def test_the_published_file_recounts_to_the_same_winners(
    rule: Rule, town: Municipality, council: Actor, tmp_path: Path
) -> None:
    shuffled = random.Random(4)
    ranked = rule in {Rule.IRV, Rule.SCHULZE, Rule.ORDINAL_GREEDY}
    ballots = []
    for _ in range(24):
        picks = shuffled.sample(
            range(4), 2 if rule == Rule.ORDINAL_GREEDY else shuffled.randint(1, 2)
        )
        ballots.append(picks if ranked else sorted(picks))
    vote, _, _ = await _vote_with_ballots(council, town, rule, ballots)
    published = await _close_and_publish(council, vote)
    assert published.result is not None
    text = await _export(published)
    assert "@" not in text and "Person" not in text
    path = tmp_path / "vote.pb"
    path.write_text(text, encoding="utf-8")
    again = recount.recount(path, RECOUNTED[rule])
    assert again.result.winners == published.result["winners"]


@pytest.mark.parametrize("rule", [Rule.APPROVAL, Rule.CUMULATIVE])
async def test_ranking_votes_recount_from_the_file_too(
    rule: Rule, town: Municipality, council: Actor
) -> None:
    ballots: list[Any] = (
        [[0, 1], [1], [2], [1, 3]] if rule == Rule.APPROVAL else [{0: 2}, {1: 3}, {1: 1, 2: 2}]
    )
    vote, _, _ = await _vote_with_ballots(council, town, rule, ballots)
    published = await _close_and_publish(council, vote)
    assert published.result is not None
    election = pabulib.parse(await _export(published))
    ids = list(election.projects)
    if rule == Rule.APPROVAL:
        again = rules.approval(ids, [v.choices for v in election.votes])
    else:
        again = rules.cumulative(
            ids,
            [dict(zip(v.choices, map(int, v.points or ()), strict=True)) for v in election.votes],
        )
    assert again.winners == published.result["winners"]
    assert election.meta["vote_type"] == rule.value
    assert len(election.votes) == len(ballots)


async def test_the_file_orders_ballots_by_their_random_ids(
    town: Municipality, council: Actor
) -> None:
    vote, ids, _ = await _vote_with_ballots(council, town, Rule.APPROVAL, [[0], [1], [2], [3]])
    await _close_and_publish(council, vote)
    by_id = [b.choices for b in await PublishedBallot.filter(vote_id=vote.id).order_by("id")]
    assert await queries.published_ballots(vote.id) == by_id
