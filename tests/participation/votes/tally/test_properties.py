"""Properties every tally keeps on any election hypothesis can think of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from participation.votes.tally import rules

# Modest counts keep the module to seconds; no example database in the checkout.
few = settings(max_examples=60, deadline=None, database=None)

PROJECTS = [f"p{i}" for i in range(6)]
CANDIDATES = list("ABCDE")


@st.composite
def budget_elections(draw: st.DrawFn) -> tuple[dict[str, int], int, list[frozenset[str]]]:
    projects = PROJECTS[: draw(st.integers(1, len(PROJECTS)))]
    costs = {p: draw(st.integers(1, 60)) for p in projects}
    budget = draw(st.integers(0, 150))
    ballots = draw(st.lists(st.frozensets(st.sampled_from(projects)), max_size=12))
    return costs, budget, ballots


@st.composite
def ranked_elections(draw: st.DrawFn) -> tuple[list[str], list[tuple[list[str], int]]]:
    candidates = CANDIDATES[: draw(st.integers(2, len(CANDIDATES)))]
    ranking = st.permutations(candidates).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda k: list(order[:k]))
    )
    ballots = draw(st.lists(st.tuples(ranking, st.integers(1, 5)), min_size=1, max_size=12))
    return candidates, ballots


def _spent(costs: dict[str, int], winners: Sequence[str]) -> int:
    return sum(costs[w] for w in winners)


@few
@given(budget_elections(), st.integers(0, 4))
def test_greedy_never_spends_more_than_the_budget(election: tuple, threshold: int) -> None:
    costs, budget, ballots = election
    scores = Counter(p for ballot in ballots for p in ballot)
    assert _spent(costs, rules.greedy(costs, budget, scores, threshold).winners) <= budget


@few
@given(budget_elections(), st.sampled_from([("add1", True), ("add1", False), (None, False)]))
def test_equal_shares_never_spends_more_than_the_budget(election: tuple, variant: tuple) -> None:
    costs, budget, ballots = election
    completion, comparison = variant
    result = rules.equal_shares(costs, budget, ballots, completion, comparison)
    assert _spent(costs, result.winners) <= budget
    assert result.details["spent"] == _spent(costs, result.winners)


def _beats(ballots: list[tuple[list[str], int]], a: str, b: str) -> int:
    """Weight of ballots preferring a to b; unranked candidates come last."""

    def place(ranking: list[str], c: str) -> int:
        return ranking.index(c) if c in ranking else len(ranking)

    return sum(w for ranking, w in ballots if place(ranking, a) < place(ranking, b))


@few
@given(ranked_elections())
def test_schulze_ranks_the_condorcet_winner_first(election: tuple) -> None:
    candidates, ballots = election
    result = rules.schulze(candidates, ballots)
    winners = [
        a
        for a in candidates
        if all(_beats(ballots, a, b) > _beats(ballots, b, a) for b in candidates if b != a)
    ]
    assert result.details["condorcet_winner"] == (winners[0] if winners else None)
    if winners:
        assert result.winners[0] == winners[0]


@few
@given(ranked_elections())
def test_irv_elects_a_candidate_with_a_majority_of_first_preferences(election: tuple) -> None:
    candidates, ballots = election
    first = Counter[str]()
    for ranking, weight in ballots:
        first[ranking[0]] += weight
    leader, votes = first.most_common(1)[0]
    result = rules.irv(candidates, ballots)
    if 2 * votes > first.total():
        assert result.winners == [leader]
        assert result.rounds[0]["elected"] == leader


@few
@given(budget_elections(), st.data())
def test_the_order_of_approval_ballots_never_changes_a_result(
    election: tuple, data: st.DataObject
) -> None:
    costs, budget, ballots = election
    shuffled = data.draw(st.permutations(ballots))
    options = list(costs)
    assert rules.approval(options, shuffled) == rules.approval(options, ballots)
    assert rules.equal_shares(costs, budget, shuffled) == rules.equal_shares(costs, budget, ballots)
    plain = {"completion": None, "comparison": False}
    assert rules.equal_shares(costs, budget, shuffled, **plain) == rules.equal_shares(
        costs, budget, ballots, **plain
    )


@few
@given(ranked_elections(), st.data())
def test_the_order_of_ranked_ballots_never_changes_a_result(
    election: tuple, data: st.DataObject
) -> None:
    candidates, ballots = election
    shuffled = data.draw(st.permutations(ballots))
    assert rules.irv(candidates, shuffled) == rules.irv(candidates, ballots)
    assert rules.schulze(candidates, shuffled) == rules.schulze(candidates, ballots)
    points = [{r[0]: w} for r, w in ballots]
    shuffled_points = data.draw(st.permutations(points))
    assert rules.cumulative(candidates, shuffled_points) == rules.cumulative(candidates, points)
    scores = rules.ordinal_scores([r for r, _ in ballots], len(candidates))
    again = rules.ordinal_scores([r for r, _ in shuffled], len(candidates))
    assert again == scores
    costs = dict.fromkeys(candidates, 10)
    assert rules.greedy(costs, 25, again) == rules.greedy(costs, 25, scores)


@few
@given(budget_elections())
def test_equal_shares_and_greedy_agree_with_pabutools(election: tuple) -> None:
    costs, budget, ballots = election
    assume(ballots)  # pabutools divides by the number of ballots
    instance = Instance((Project(p, cost) for p, cost in costs.items()), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot(instance.get_project(p) for p in b) for b in ballots])
    approvals = Counter(p for ballot in ballots for p in ballot)
    place = {p: i for i, p in enumerate(costs)}
    ours_first = TieBreakingRule(
        lambda _i, _p, project: (-approvals[project.name], project.cost, place[project.name])
    )
    theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=ours_first)
    ours = rules.equal_shares(costs, budget, ballots, completion=None, comparison=False)
    assert ours.winners == [p.name for p in theirs]
    theirs = greedy_utilitarian_welfare(
        instance, profile, sat_class=Cost_Sat, tie_breaking=ours_first
    )
    ours = rules.greedy(costs, budget, approvals)
    assert ours.winners == [p.name for p in theirs if approvals[p.name]]
