"""Recount a published vote from its file — a Pabulib `.pb` file or a BLT file — with the
rule the file names or another one. This is what `auftrag tally` runs, so anyone can
check a result with the same code the platform counts with.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from participation.votes.tally import blt, pabulib, rules

RULES = ("greedy", "greedy-threshold", "mes", "mes-add1", "mes-add1-comparison", "irv", "schulze")

# The `rule` values Pabulib files use, by the name of our rule that counts the same way.
PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-comparison": "mes-add1-comparison",
}
THRESHOLD = "min_project_score_threshold"


@dataclass(frozen=True)
class Recount:
    result: rules.Result
    names: dict[str, str]
    """Winner id → its name, where the file gives names apart from ids."""


def recount(path: Path, rule: str | None = None) -> Recount:
    """Count the file at `path` by `rule`, or by the file's own rule when None
    (BLT files: instant-runoff). Raises ValueError naming the file for a bad file
    or a rule that cannot count its ballots, and OSError when it cannot be read."""
    if rule is not None and rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if _is_pabulib(path):
        election = pabulib.load(path)
        try:
            return _recount_pabulib(election, rule)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
    ranked = blt.load(path)
    rule = rule or "irv"
    if rule not in ("irv", "schulze"):
        raise ValueError(f"{path}: ranked ballots count with irv or schulze, not {rule}")
    count = rules.irv if rule == "irv" else rules.schulze
    return Recount(count(ranked.standing, ranked.standing_ballots()), {})


def _is_pabulib(path: Path) -> bool:
    if path.suffix.lower() in (".pb", ".blt"):
        return path.suffix.lower() == ".pb"
    with path.open(encoding="utf-8-sig") as file:
        for line in file:
            if line.strip() and not line.startswith("#"):
                return line.strip().lower() == "meta"
    return False


def _recount_pabulib(election: pabulib.Election, rule: str | None) -> Recount:
    rule = rule or _own_rule(election)
    costs = {p.id: p.cost for p in election.projects.values()}
    names = {p.id: p.name for p in election.projects.values()}
    ballots = [vote.choices for vote in election.votes]
    if rule in ("irv", "schulze"):
        if election.vote_type != "ordinal":
            raise ValueError(
                f"{rule} counts ranked ballots; this file's votes are {election.vote_type}"
            )
        count = rules.irv if rule == "irv" else rules.schulze
        return Recount(count(list(costs), ballots), names)
    if rule.startswith("mes"):
        if election.vote_type not in ("approval", "choose-1"):
            raise ValueError(
                f"equal shares counts approval ballots; this file's votes are {election.vote_type}"
            )
        result = rules.equal_shares(
            costs,
            election.budget,
            ballots,
            completion="add1" if "add1" in rule else None,
            comparison=rule.endswith("comparison"),
        )
        return Recount(result, names)
    threshold: pabulib.Number = 0
    if rule == "greedy-threshold":
        if THRESHOLD not in election.meta:
            raise ValueError(f"greedy-threshold needs {THRESHOLD} in the file's META")
        threshold = pabulib.number(election.meta[THRESHOLD])
    return Recount(rules.greedy(costs, election.budget, _scores(election), threshold), names)


def _own_rule(election: pabulib.Election) -> str:
    own = election.rule
    if own not in PABULIB_RULES:
        raise ValueError(
            f"the file's rule {own!r} is not one we count; choose one with --rule"
            if own
            else "the file names no rule; choose one with --rule"
        )
    if own == "greedy" and THRESHOLD in election.meta:
        return "greedy-threshold"
    return PABULIB_RULES[own]


def _scores(election: pabulib.Election) -> dict[str, pabulib.Number]:
    """Each project's score as the city counted it: approvals, the sum of points, or
    for ordinal votes without points k, k−1, …, 1 by rank (k the longest allowed ballot)."""
    votes = election.votes
    if any(vote.points is not None for vote in votes):
        totals: dict[str, pabulib.Number] = {}
        for vote in votes:
            for choice, points in zip(vote.choices, vote.points or (), strict=True):
                totals[choice] = totals.get(choice, 0) + points
        return totals
    if election.vote_type == "ordinal":
        longest = max((len(vote.choices) for vote in votes), default=1)
        k = int(election.meta.get("max_length", longest))
        if longest > k:
            raise ValueError(f"a vote ranks {longest} projects, more than max_length {k}")
        return dict(rules.ordinal_scores((vote.choices for vote in votes), k))
    return dict(Counter(choice for vote in votes for choice in vote.choices))
