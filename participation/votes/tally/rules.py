"""Tally rules of priority votes: pure functions from ballots to a published `Result`.

No I/O: votes, the CLI and tests call the same functions. Every rule is deterministic;
where candidates or projects tie, the docstring says how the tie is broken, and the
result page prints that sentence next to the outcome. Options are identified by the
strings the caller passes (option ids); the order in which the caller lists them is the
published order of the ballot, and it is the last tie-break of every rule.

Money is whatever whole unit the caller uses (cents for our votes, the currency unit of
a Pabulib file); `equal_shares` takes the increment of its add-one completion in that
unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from participation.votes.tally import equalshares, ranked
from participation.votes.tally.equalshares import ApprovalProfile
from participation.votes.tally.ranked import RankedBallot, RankedProfile

Number = int | float


@dataclass(frozen=True)
class Result:
    """A tally's outcome as the result page and the JSON download show it.

    `winners` are in selection order (budget rules) or ranking order (ranking rules);
    `rounds` is the round table; `details` holds the figures behind it (scores, the
    pairwise matrix, the voters' budget shares, money spent)."""

    rule: str
    winners: list[str]
    rounds: list[dict[str, Any]]
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "winners": list(self.winners),
            "rounds": list(self.rounds),
            "details": dict(self.details),
        }


def approval(options: Sequence[str], ballots: Iterable[Collection[str]]) -> Result:
    """Approval voting: each ballot approves any number of options; options are ranked
    by how many ballots approve them (an option approved twice on one ballot counts once).

    Ties: equal counts keep the order of `options`.
    Result page: the ranking with each option's approvals and share of ballots.
    """
    profile = ApprovalProfile.build(options, ballots)
    scores = dict(zip(options, profile.approvals.tolist(), strict=True))
    return Result(
        rule="approval",
        winners=_ranking(options, scores),
        rounds=[],
        details={"scores": scores, "ballots": profile.voters},
    )


def cumulative(options: Sequence[str], ballots: Iterable[Mapping[str, int]]) -> Result:
    """Cumulative voting: each ballot spreads points over the options (the vote checks
    its limits when the ballot is cast); options are ranked by their total points.

    Ties: equal totals keep the order of `options`.
    Result page: the ranking with each option's points and how many ballots gave it any.
    """
    known = set(options)
    totals: Counter[str] = Counter({option: 0 for option in options})
    backers: Counter[str] = Counter()
    count = 0
    for ballot in ballots:
        count += 1
        for option, points in ballot.items():
            if option not in known:
                raise ValueError(f"a ballot gives points to unknown option {option!r}")
            if not isinstance(points, int) or isinstance(points, bool) or points < 0:
                raise ValueError(f"points must be whole numbers ≥ 0, not {points!r}")
            totals[option] += points
            backers[option] += points > 0
    scores = {option: totals[option] for option in options}
    return Result(
        rule="cumulative",
        winners=_ranking(options, scores),
        rounds=[],
        details={"scores": scores, "backers": dict(backers), "ballots": count},
    )


def ordinal_scores(ballots: Iterable[Sequence[str]], k: int) -> dict[str, int]:
    """Points of ordinal budget ballots that rank (up to) k options: the first choice
    gets k points, the second k−1, …, the k-th 1 — Kraków's 3-2-1 for k = 3. Options
    no ballot ranks are absent; `greedy` reads them as 0."""
    if k < 1:
        raise ValueError("k must be at least 1")
    scores: Counter[str] = Counter()
    for ballot in ballots:
        if len(ballot) > k:
            raise ValueError(f"a ballot ranks {len(ballot)} options, more than {k}")
        if len(set(ballot)) != len(ballot):
            raise ValueError("a ballot ranks an option twice")
        for place, option in enumerate(ballot):
            scores[option] += k - place
    return dict(scores)


def greedy(
    costs: Mapping[str, Number],
    budget: Number,
    scores: Mapping[str, Number],
    threshold: Number = 0,
) -> Result:
    """Greedy budget allocation, as most cities count: go down the projects from the
    highest score (votes, or points) to the lowest and fund each one that still fits
    in what is left of the budget; a project that does not fit is skipped and the count
    goes on with the next, cheaper ones. With a `threshold` ("greedy-threshold",
    Warsaw's min_project_score_threshold) a project needs a score of at least the
    threshold; a project with no score at all is never funded.

    Ties: equal scores go cheaper project first, then the order of `costs`.
    Result page: every project in that order with its score, cost, whether it was
    funded, skipped for lack of money or below the threshold, and the money left.
    """
    options = list(costs)
    _check_money(costs, budget)
    unknown = set(scores) - set(costs)
    if unknown:
        raise ValueError(f"a score for unknown project {sorted(unknown)[0]!r}")
    place = {option: i for i, option in enumerate(options)}
    order = sorted(options, key=lambda o: (-scores.get(o, 0), costs[o], place[o]))
    left = budget
    winners: list[str] = []
    rounds: list[dict[str, Any]] = []
    for option in order:
        score, cost = scores.get(option, 0), costs[option]
        if score <= 0 or score < threshold:
            decision = "below threshold"
        elif cost > left:
            decision = "does not fit"
        else:
            decision = "funded"
            winners.append(option)
            left -= cost
        rounds.append(
            {"project": option, "score": score, "cost": cost, "decision": decision, "left": left}
        )
    return Result(
        rule="greedy-threshold" if threshold else "greedy",
        winners=winners,
        rounds=rounds,
        details={
            "budget": budget,
            "spent": budget - left,
            "threshold": threshold,
            "scores": {o: scores.get(o, 0) for o in options},
        },
    )


def equal_shares(
    costs: Mapping[str, Number],
    budget: Number,
    ballots: Iterable[Collection[str]],
    completion: Literal["add1"] | None = "add1",
    comparison: bool = True,
    increment: Number = 1,
) -> Result:
    """The Method of Equal Shares (MES) with cost utilities on approval ballots.

    Every voter gets an equal share of the budget. Round by round, the project whose
    supporters can pay for it most cheaply is bought: its cost is split equally among
    its supporters, and a supporter with less money left than that pays all she has
    while the others share the rest. "Cheaply" is per unit of utility, a voter's
    utility being the cost of the projects she approves that are funded, so the price
    of a project is ρ = (payment of a full payer) / cost and its "effective votes" are
    1/ρ. Projects whose supporters together hold less than the cost drop out; the
    rounds end when none is left (rule "mes", `completion=None`).

    Completion "add1" (equalshares.net, as in Wieliczka 2023): while the outcome with
    every voter's share raised by `increment` still fits the budget, take the raised
    shares (rule "mes-add1"). `increment` is one currency unit in the unit of `costs`:
    100 when costs are in cents. The raising goes on past an outcome to which no
    further project fits — that is how Wieliczka's official result came about — and
    stops when every project with a supporter is funded. The comparison step then counts
    greedy by approvals against it: each voter compares the money spent on projects
    she approves under each outcome; if more voters prefer greedy's, greedy's outcome
    is taken, otherwise (also on a tie) MES's ("mes-add1-comparison").

    Ties: projects at the same price (to 9 significant digits) go more approvals
    first, then cheaper project first, then the order of `costs`.
    Result page: each round's project, its supporters, effective votes and the payment
    of each supporter who pays in full; the share each voter started from, how many
    raises add-one took, how many voters spent their whole share or nothing; and for the
    comparison both outcomes with the number of voters preferring each.
    """
    options = list(costs)
    _check_money(costs, budget)
    if completion not in ("add1", None):
        raise ValueError(f"unknown completion {completion!r}; use 'add1' or None")
    if increment <= 0:
        raise ValueError("the add-one increment must be positive")
    profile = ApprovalProfile.build(options, ballots)
    prices = np.array([float(costs[o]) for o in options])
    rule = "mes" + ("-add1" if completion else "") + ("-comparison" if comparison else "")
    if profile.voters == 0:
        return Result(rule, [], [], {"budget": budget, "spent": 0, "voters": 0})
    order = np.lexsort((np.arange(len(options)), prices, -profile.approvals))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    if completion == "add1":
        outcome, raises = equalshares.add_one(profile, prices, float(budget), increment, rank)
    else:
        outcome = equalshares.fixed_budget(profile, prices, budget / profile.voters, rank)
        raises = 0
    winners = [options[j] for j in outcome.selected]
    rounds = outcome.rounds
    spent_per_voter = outcome.share - outcome.leftover
    tolerance = outcome.share * equalshares.RELATIVE_TOLERANCE
    details: dict[str, Any] = {
        "budget": budget,
        "spent": _plain(sum(costs[w] for w in winners)),
        "voters": profile.voters,
        "initial_share": budget / profile.voters,
        "share": outcome.share,
        "raises": raises,
        "increment": increment,
        "approvals": dict(zip(options, profile.approvals.tolist(), strict=True)),
        "shares": {
            "spent_mean": float(profile.weights @ spent_per_voter) / profile.voters,
            "spent_all": int(profile.weights[outcome.leftover <= tolerance].sum()),
            "spent_nothing": int(profile.weights[spent_per_voter <= tolerance].sum()),
        },
    }
    if comparison:
        rival = greedy(costs, budget, details["approvals"])
        chosen = [options.index(w) for w in rival.winners]
        prefer_mes, prefer_greedy = equalshares.preferences(
            profile, prices, outcome.selected, chosen
        )
        details["comparison"] = {
            "mes": winners,
            "greedy": rival.winners,
            "prefer_mes": prefer_mes,
            "prefer_greedy": prefer_greedy,
            "chosen": "greedy" if prefer_greedy > prefer_mes else "mes",
        }
        if prefer_greedy > prefer_mes:
            winners, rounds = rival.winners, rival.rounds
            details["spent"] = rival.details["spent"]
    return Result(rule=rule, winners=winners, rounds=rounds, details=details)


def irv(candidates: Sequence[str], ballots: Iterable[RankedBallot]) -> Result:
    """Instant-runoff voting, one winner. A ballot is a sequence of candidates in order
    of preference, or `(sequence, weight)` with a whole-number weight (BLT files carry
    weights). Each round counts every ballot for its highest-ranked candidate still in
    the race; a candidate with more than half of those votes wins, otherwise the
    candidate with the fewest votes is eliminated and her ballots pass on. A ballot
    with no candidate left in the race is exhausted.

    A rank may hold several candidates tied (BLT's `5=6`, an overvote on paper). While
    exactly one of them is in the race, the rank counts for her; when none is, the
    count moves to the next rank; when the count reaches it with two or more of them in
    the race, the ballot cannot tell them apart and is exhausted for good. This is how
    Burlington's official 2009 count came to 4313 against 4061. A candidate ranked
    twice counts at the first of those ranks.

    Ties for elimination: the candidate with fewer votes in the latest earlier round
    where the tied candidates differ is eliminated; if they were level in every round,
    the one listed last in `candidates`.
    Result page: the round table — each round's votes per candidate, exhausted ballots,
    who was eliminated — and the winner with her share in the final round.
    """
    profile = RankedProfile.build(candidates, ballots)
    winner, rounds = ranked.instant_runoff(profile)
    return Result(
        rule="irv",
        winners=[] if winner is None else [candidates[winner]],
        rounds=rounds,
        details={"ballots": int(profile.weights.sum())},
    )


def schulze(candidates: Sequence[str], ballots: Iterable[RankedBallot]) -> Result:
    """The Schulze method: a full ranking from pairwise comparisons. Ballots are as for
    `irv`; candidates tied at a rank are equal on that ballot, and ranked candidates
    are preferred to unranked ones. d[a][b] is the weight of ballots preferring a to b;
    a path's strength is its weakest link, a link a→b being worth d[a][b] where a beats
    b (winning votes). a ranks above b when a's strongest path to b is stronger than b's
    to a. A Condorcet winner — one who beats every other candidate head to head —
    always comes first.

    Ties: candidates the method leaves unordered go by how many candidates each ranks
    above, then by the order of `candidates`.
    Result page: the ranking, the pairwise matrix, the strongest paths and the
    Condorcet winner if there is one.
    """
    profile = RankedProfile.build(candidates, ballots)
    d = ranked.pairwise(profile)
    p = ranked.strongest_paths(d)
    beats = (p > p.T).sum(axis=1)
    order = sorted(range(len(candidates)), key=lambda i: (-beats[i], i))
    size = len(candidates)
    condorcet = [i for i in range(size) if all(d[i, j] > d[j, i] for j in range(size) if j != i)]
    return Result(
        rule="schulze",
        winners=[candidates[i] for i in order],
        rounds=[],
        details={
            "ballots": int(profile.weights.sum()),
            "pairwise": _matrix(candidates, d),
            "strongest_paths": _matrix(candidates, p),
            "condorcet_winner": candidates[condorcet[0]] if condorcet else None,
        },
    )


def _ranking(options: Sequence[str], scores: Mapping[str, Number]) -> list[str]:
    place = {option: i for i, option in enumerate(options)}
    return sorted(options, key=lambda o: (-scores[o], place[o]))


def _matrix(names: Sequence[str], values: np.ndarray[Any, Any]) -> dict[str, dict[str, int]]:
    return {
        a: {b: int(values[i, j]) for j, b in enumerate(names) if j != i}
        for i, a in enumerate(names)
    }


def _check_money(costs: Mapping[str, Number], budget: Number) -> None:
    if budget < 0:
        raise ValueError("the budget must not be negative")
    for option, cost in costs.items():
        if cost < 0:
            raise ValueError(f"the cost of {option!r} must not be negative")


def _plain(value: Number) -> Number:
    return int(value) if float(value).is_integer() else value
