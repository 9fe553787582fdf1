"""The Method of Equal Shares on approval ballots with cost utilities, on numpy arrays.

`rules.equal_shares` is the documented entry point; this module holds the arithmetic.
Voters with the same ballot are one group with a multiplicity, and groups are kept in a
canonical order (sorted by ballot), so that the order in which ballots arrive can never
change a floating-point sum and with it a result.

Money is float64. Two prices that agree to `RELATIVE_TOLERANCE` count as a tie and go
to the published tie-break, so rounding in the last digits never decides between two
projects; the same tolerance lets a project whose supporters hold exactly its cost
(up to rounding) count as affordable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

RELATIVE_TOLERANCE = 1e-9
SETTLING_ROUNDS = 8

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ApprovalProfile:
    """Approval ballots as groups of identical ballots, indexed by project.

    Project j's supporting groups are `supporters[starts[j]:starts[j + 1]]`, ascending.
    """

    options: tuple[str, ...]
    weights: IntArray
    starts: IntArray
    supporters: IntArray
    approvals: IntArray
    """Approvals per project."""

    @classmethod
    def build(cls, options: Sequence[str], ballots: Iterable[Collection[str]]) -> ApprovalProfile:
        index = {option: j for j, option in enumerate(options)}
        if len(index) != len(options):
            raise ValueError("an option appears twice in the list of options")
        counted = _identical(ballots)
        keys = list(counted)
        try:
            flat = [index[option] for key in keys for option in key]
        except KeyError as exc:
            raise ValueError(f"a ballot approves unknown option {exc.args[0]!r}") from None
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        key_of_entry = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        projects = np.asarray(flat, dtype=np.int64)
        # Each ballot as a row of bits, read as 64-bit words. Identical ballots are equal
        # rows; sorting the rows puts the groups in an order that depends only on what the
        # ballots say, never on the order they came in.
        words = max(1, (len(options) + 63) // 64)
        dense = np.zeros((len(keys), 64 * words), dtype=bool)
        dense[key_of_entry, projects] = True
        bits = np.packbits(dense, axis=1)
        rows = bits.view(np.uint64)
        order = np.lexsort(rows.T[::-1])
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (rows[order[1:]] != rows[order[:-1]]).any(axis=1)
        group_of_key = np.empty(len(keys), dtype=np.int64)
        group_of_key[order] = np.cumsum(first) - 1
        times = np.fromiter(counted.values(), dtype=np.int64, count=len(keys))
        weights = np.bincount(group_of_key, weights=times, minlength=int(first.sum()))
        members = np.unpackbits(bits[order[first]], axis=1, count=len(options)).astype(bool)
        projects, supporters = np.nonzero(members.T)
        starts = np.zeros(len(options) + 1, dtype=np.int64)
        np.cumsum(np.bincount(projects, minlength=len(options)), out=starts[1:])
        weights = weights.astype(np.int64)
        approvals = np.bincount(projects, weights=weights[supporters], minlength=len(options))
        return cls(
            tuple(options), weights, starts, supporters.astype(np.int64), approvals.astype(np.int64)
        )

    @property
    def voters(self) -> int:
        return int(self.weights.sum())

    def of(self, project: int) -> IntArray:
        return self.supporters[self.starts[project] : self.starts[project + 1]]

    @cached_property
    def supporter_weights(self) -> list[FloatArray]:
        """Per project, the sizes of its supporting groups (as floats, for money sums)."""
        weights = self.weights.astype(np.float64)
        return [weights[self.of(j)] for j in range(len(self.options))]

    def spent_on(self, selected: Iterable[int], costs: FloatArray) -> FloatArray:
        """Per group: the cost of the selected projects its ballot approves."""
        spent = np.zeros(len(self.weights))
        for project in selected:
            spent[self.of(project)] += costs[project]
        return spent


def _identical(ballots: Iterable[Collection[str]]) -> Counter[Collection[str]]:
    """The ballots counted by value (in C for hashable ballots, which is most)."""
    every = ballots if isinstance(ballots, Sequence) else list(ballots)
    try:
        counted: Counter[Collection[str]] = Counter(every)
    except TypeError:  # sets or lists
        counted = Counter(frozenset(ballot) for ballot in every)
    for ballot in counted:
        if isinstance(ballot, str):
            raise ValueError(f"a ballot is a collection of options, not the text {ballot!r}")
    return counted


@dataclass(frozen=True)
class Outcome:
    selected: list[int]
    rounds: list[dict[str, object]]
    leftover: FloatArray
    """Each group's money left, per voter, at the end."""
    share: float


def fixed_budget(
    profile: ApprovalProfile, costs: FloatArray, share: float, rank: IntArray
) -> Outcome:
    """One run of MES in which every voter starts with `share`.

    Round by round, the project that its supporters can buy at the lowest price per unit
    of utility is bought: every supporter pays the same amount, or all she has left if
    that is less. With cost utilities that price is ρ = payment / cost, and 1/ρ is the
    project's "effective vote count". `rank` orders tied projects (lower first).
    """
    support = profile.approvals
    budget = np.full(len(profile.weights), share, dtype=np.float64)
    weights = profile.supporter_weights
    selected: list[int] = []
    rounds: list[dict[str, object]] = []
    free = [j for j in np.argsort(rank) if support[j] > 0 and costs[j] == 0]
    for j in free:
        selected.append(int(j))
        rounds.append(_round(profile, int(j), 0.0, 0.0, support[j], 0, 0.0))
    remaining = {int(j) for j in np.flatnonzero((support > 0) & (costs > 0))}
    # Budgets only shrink, so a project's price only rises: the last price seen is a lower
    # bound, and a project whose bound is above the best price so far need not be priced.
    bound = {j: 1.0 / float(support[j]) for j in remaining}
    spent = 0.0
    while remaining:
        best_price = np.inf
        best: list[tuple[int, float, int]] = []
        for j in sorted(remaining, key=lambda p: (bound[p], rank[p])):
            if bound[j] > best_price * (1 + RELATIVE_TOLERANCE):
                break
            priced = _price(budget[profile.of(j)], weights[j], float(support[j]), costs[j])
            if priced is None:
                remaining.discard(j)
                continue
            price, payment, capped = priced
            bound[j] = price
            if price < best_price * (1 - RELATIVE_TOLERANCE):
                best_price, best = price, [(j, payment, capped)]
            elif price <= best_price * (1 + RELATIVE_TOLERANCE):
                best.append((j, payment, capped))
        if not best:
            break
        j, payment, capped = min(best, key=lambda b: rank[b[0]])
        group = profile.of(j)
        budget[group] -= np.minimum(budget[group], payment)
        remaining.discard(j)
        selected.append(j)
        spent += float(costs[j])
        rounds.append(_round(profile, j, float(costs[j]), payment, support[j], capped, spent))
    return Outcome(selected, rounds, budget, share)


def _price(
    budgets: FloatArray, weights: FloatArray, voters: float, cost: float
) -> tuple[float, float, int] | None:
    """(price ρ, payment of those who pay in full, voters who pay all they have left),
    or None if the supporters together cannot pay `cost`.

    Those who pay all they have are the ones holding less than the payment, which in
    turn depends on what they pay. A few rounds of "who is short of the current
    payment?" settle it on real ballots, far faster than sorting every supporter's
    budget; the sort is the fallback for budgets that keep it going.
    """
    money = budgets * weights
    if float(money.sum()) < cost * (1 - RELATIVE_TOLERANCE):
        return None
    payment, short, paid, payers = cost / voters, 0, 0.0, voters
    for _ in range(SETTLING_ROUNDS):
        now_short = budgets < payment
        count = int(np.count_nonzero(now_short))
        if count == short:  # the short only grow as the payment grows: nobody new, settled
            return (cost - paid) / (payers * cost), payment, int(weights @ now_short)
        if count == len(budgets):  # the cost is their money to the last cent, up to rounding
            break
        paid, payers = float(money @ now_short), voters - float(weights @ now_short)
        payment, short = (cost - paid) / payers, count
    order = np.argsort(budgets, kind="stable")
    held, many = budgets[order], weights[order]
    paid_before = np.cumsum(held * many) - held * many
    payers_from = voters - (np.cumsum(many) - many)
    enough = (cost - paid_before) / payers_from <= held
    k = int(np.argmax(enough)) if enough.any() else len(held) - 1
    rest = cost - float(paid_before[k])
    return rest / (float(payers_from[k]) * cost), rest / float(payers_from[k]), int(many[:k].sum())


def _round(
    profile: ApprovalProfile,
    project: int,
    cost: float,
    payment: float,
    supporters: int,
    capped: int,
    spent: float,
) -> dict[str, object]:
    return {
        "project": profile.options[project],
        "cost": _plain(cost),
        "supporters": int(supporters),
        "effective_votes": round(float(cost / payment), 6) if payment else None,
        "payment": round(float(payment), 6),
        "paid_all_they_had": capped,
        "spent": _plain(spent),
    }


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def add_one(
    profile: ApprovalProfile, costs: FloatArray, budget: float, increment: float, rank: IntArray
) -> tuple[Outcome, int]:
    """MES completed by add-one: run MES with the share budget / voters, then raise every
    voter's share by `increment` as long as the outcome of the raised share stays within
    `budget`. Returns the last outcome within budget and how many raises it took.

    The raising goes on past the first outcome to which no further project would fit
    (pabutools and equalshares.net's "exhaustive" option stop there): a larger share
    can still trade projects for a fuller outcome, and Wieliczka's official result of
    2023 is the one reached by going on. It ends once every project with a supporter is
    funded, because raising further changes nothing.
    """
    share = budget / profile.voters
    outcome = fixed_budget(profile, costs, share, rank)
    fundable = int(np.count_nonzero(profile.approvals))
    steps = 0
    while len(outcome.selected) < fundable:
        raised = fixed_budget(profile, costs, share + (steps + 1) * increment, rank)
        if float(costs[raised.selected].sum()) > budget:
            break
        outcome, steps = raised, steps + 1
    return outcome, steps


def preferences(
    profile: ApprovalProfile, costs: FloatArray, first: Sequence[int], second: Sequence[int]
) -> tuple[int, int]:
    """How many voters see more money spent on projects they approve under `first`,
    and how many under `second` (voters who see the same amount count for neither)."""
    one = profile.spent_on(first, costs)
    two = profile.spent_on(second, costs)
    return int(profile.weights[one > two].sum()), int(profile.weights[two > one].sum())
