"""A published vote as a Pabulib `.pb` file: anonymised ballots and projects. No I/O.

Project ids are our option ids, costs are in euros (Pabulib counts in currency units),
and ballots are numbered 1, 2, … in the order the caller gives them, which must tell
nothing about who cast them or when (see `queries.published_ballots`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from participation.votes.ballots import BUDGETED, Parameters
from participation.votes.models import Rule
from participation.votes.tally import pabulib

VOTE_TYPES = {
    Rule.APPROVAL: "approval",
    Rule.GREEDY: "approval",
    Rule.GREEDY_THRESHOLD: "approval",
    Rule.MES: "approval",
    Rule.IRV: "ordinal",
    Rule.SCHULZE: "ordinal",
    Rule.ORDINAL_GREEDY: "ordinal",
    Rule.CUMULATIVE: "cumulative",
}
# Pabulib's names where it has one for the rule; `auftrag tally` reads all of them.
PABULIB_RULES = {
    Rule.MES: "equalshares/add1-comparison",
    Rule.ORDINAL_GREEDY: "greedy",
}


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    cost_cents: int | None


@dataclass(frozen=True)
class Election:
    vote_id: int
    title: str
    municipality: str
    district: str | None
    parameters: Parameters
    opens_at: datetime | None
    closes_at: datetime | None
    projects: Sequence[Project]
    winners: Sequence[str]


def euros(cents: int) -> str:
    """Exact decimal euros: 150000 → "1500", 12345 → "123.45"."""
    whole, rest = divmod(cents, 100)
    return str(whole) if not rest else f"{whole}.{rest:02d}"


def dumps(election: Election, ballots: Sequence[Any]) -> str:
    parameters = election.parameters
    rule = parameters.rule
    budgeted = rule in BUDGETED
    meta: dict[str, object] = {
        "description": election.title,
        "unit": election.municipality,
    }
    if election.district:
        meta["district"] = election.district
    meta |= {
        "instance": election.vote_id,
        "num_projects": len(election.projects),
        "num_votes": len(ballots),
        "budget": euros(parameters.budget_cents or 0),
        "vote_type": VOTE_TYPES[rule],
        "rule": PABULIB_RULES.get(rule, rule.value),
        "date_begin": _date(election.opens_at),
        "date_end": _date(election.closes_at),
        "language": "de",
        "currency": "EUR",
    }
    if rule in {Rule.APPROVAL, Rule.GREEDY, Rule.GREEDY_THRESHOLD, Rule.MES}:
        if parameters.max_choices:
            meta["max_length"] = parameters.max_choices
        if budgeted and parameters.limit_ballot_cost:
            meta["max_sum_cost"] = euros(parameters.budget_cents or 0)
    if rule == Rule.ORDINAL_GREEDY:
        meta["min_length"] = meta["max_length"] = parameters.max_choices or 0
    if rule == Rule.GREEDY_THRESHOLD:
        meta["min_project_score_threshold"] = parameters.min_votes or 0
    if rule == Rule.CUMULATIVE:
        meta["max_sum_points"] = parameters.points_total or 0
        meta["max_points"] = parameters.points_cap or 0
    winners = set(election.winners)
    projects = []
    for project in election.projects:
        row: dict[str, object] = {
            "project_id": project.id,
            "cost": euros(project.cost_cents or 0),
            "name": " ".join(project.title.split()),
        }
        if budgeted:
            row["selected"] = int(str(project.id) in winners)
        projects.append(row)
    return pabulib.dumps(
        meta, projects, [_vote(n, ballot, rule) for n, ballot in enumerate(ballots, 1)]
    )


def _vote(number: int, ballot: Any, rule: Rule) -> dict[str, object]:
    if rule == Rule.CUMULATIVE:
        return {"voter_id": number, "vote": list(ballot), "points": list(ballot.values())}
    return {"voter_id": number, "vote": list(ballot)}


def _date(value: datetime | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""
