"""What a vote's rule asks of its settings and of each ballot. Pure functions, no I/O.

Ballots arrive as JSON: a list of option ids (approval and budget ballots: a set;
ranked ballots: best first), an object option id → rank (ranked ballots), or an object
option id → points (cumulative). They are stored normalised: a sorted list of ids, a
list in rank order, or an object of the non-zero points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from participation.errors import InvalidInput
from participation.messages import Message
from participation.votes.models import Rule

APPROVING = frozenset({Rule.APPROVAL, Rule.GREEDY, Rule.GREEDY_THRESHOLD, Rule.MES})
RANKING = frozenset({Rule.IRV, Rule.SCHULZE, Rule.ORDINAL_GREEDY})
BUDGETED = frozenset({Rule.GREEDY, Rule.GREEDY_THRESHOLD, Rule.MES, Rule.ORDINAL_GREEDY})

TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
OPTION_DESCRIPTION_MAX = 2_000
OPTIONS_MAX = 200
CHOICES_MAX = 1_000
POINTS_MAX = 10_000
MONEY_MAX = 10**13  # cents: a hundred billion euros
COUNT_MAX = 10_000_000


@dataclass(frozen=True)
class Parameters:
    """The rule and the numbers it needs; those another rule needs are None."""

    rule: Rule
    max_choices: int | None = None
    points_total: int | None = None
    points_max_per_option: int | None = None
    budget_cents: int | None = None
    limit_ballot_cost: bool = True
    min_votes: int | None = None

    @property
    def points_cap(self) -> int | None:
        return self.points_max_per_option or self.points_total


@dataclass(frozen=True)
class Choice:
    """An option as a ballot sees it."""

    id: int
    cost_cents: int | None = None


def clean_parameters(given: Parameters) -> tuple[Parameters, dict[str, str]]:
    """The parameters with those the rule does not use dropped, and field → message."""
    rule = given.rule
    problems: dict[str, str] = {}
    uses_budget = rule in BUDGETED
    cleaned = Parameters(
        rule=rule,
        max_choices=given.max_choices if rule in APPROVING | {Rule.ORDINAL_GREEDY} else None,
        points_total=given.points_total if rule == Rule.CUMULATIVE else None,
        points_max_per_option=given.points_max_per_option if rule == Rule.CUMULATIVE else None,
        budget_cents=given.budget_cents if uses_budget else None,
        limit_ballot_cost=given.limit_ballot_cost if rule in BUDGETED - RANKING else False,
        min_votes=given.min_votes if rule == Rule.GREEDY_THRESHOLD else None,
    )
    _positive(problems, "max_choices", cleaned.max_choices, CHOICES_MAX)
    _positive(problems, "points_total", cleaned.points_total, POINTS_MAX)
    _positive(problems, "points_max_per_option", cleaned.points_max_per_option, POINTS_MAX)
    _positive(problems, "budget_cents", cleaned.budget_cents, MONEY_MAX)
    _positive(problems, "min_votes", cleaned.min_votes, COUNT_MAX)
    if rule == Rule.CUMULATIVE and cleaned.points_total is None:
        problems.setdefault("points_total", Message("Cumulative votes need the number of points."))
    if (
        cleaned.points_total is not None
        and cleaned.points_max_per_option is not None
        and cleaned.points_max_per_option > cleaned.points_total
    ):
        problems.setdefault(
            "points_max_per_option",
            Message("The points per option cannot exceed the points in total."),
        )
    if uses_budget and cleaned.budget_cents is None:
        problems.setdefault("budget_cents", Message("Budget votes need a budget."))
    if rule == Rule.GREEDY_THRESHOLD and cleaned.min_votes is None:
        problems.setdefault(
            "min_votes", Message("Greedy with a threshold needs the minimum votes.")
        )
    if rule == Rule.ORDINAL_GREEDY and cleaned.max_choices is None:
        problems.setdefault(
            "max_choices", Message("Ordinal ballots need how many options to rank.")
        )
    return cleaned, problems


def _positive(problems: dict[str, str], field: str, value: int | None, maximum: int) -> None:
    if value is not None and not 1 <= value <= maximum:
        problems[field] = Message(
            "Must be a whole number from %(min)s to %(max)s.", min=1, max=maximum
        )


def readiness(
    parameters: Parameters,
    options: Sequence[Choice],
    opens_at: datetime | None,
    closes_at: datetime | None,
    now: datetime,
) -> dict[str, str]:
    """What still keeps a draft from being scheduled: field → message."""
    problems: dict[str, str] = {}
    if len(options) < 2:
        problems["options"] = Message("A vote needs at least two options.")
    if parameters.rule in BUDGETED:
        if any(o.cost_cents is None for o in options):
            problems["options"] = Message("Every option of a budget vote needs a cost.")
        elif parameters.budget_cents is not None and any(
            (o.cost_cents or 0) > parameters.budget_cents for o in options
        ):
            problems["options"] = Message("An option costs more than the whole budget.")
    if parameters.rule == Rule.ORDINAL_GREEDY and (parameters.max_choices or 0) > len(options):
        problems["max_choices"] = Message("Ballots cannot rank more options than the vote has.")
    if opens_at is None:
        problems["opens_at"] = Message("Set when the vote opens.")
    elif opens_at <= now:
        problems["opens_at"] = Message("The opening time must be in the future.")
    if closes_at is None:
        problems["closes_at"] = Message("Set when the vote closes.")
    elif opens_at is not None and closes_at <= opens_at:
        problems["closes_at"] = Message("The vote must close after it opens.")
    return problems


def normalise(parameters: Parameters, options: Sequence[Choice], choices: object) -> Any:
    """The ballot as stored; raises InvalidInput on field `choices` naming the problem."""
    known = {o.id: o for o in options}
    rule = parameters.rule
    if rule == Rule.CUMULATIVE:
        return _points(parameters, known, choices)
    if rule in RANKING:
        ranking = _ranking(known, choices)
        if rule == Rule.ORDINAL_GREEDY and len(ranking) != parameters.max_choices:
            _refuse(
                Message("Rank exactly as many options as this vote asks."),
                max_choices=parameters.max_choices,
            )
        return ranking
    chosen = _approvals(known, choices)
    if parameters.max_choices is not None and len(chosen) > parameters.max_choices:
        _refuse(
            Message("More options chosen than this vote allows."),
            max_choices=parameters.max_choices,
        )
    if rule in BUDGETED and parameters.limit_ballot_cost and parameters.budget_cents is not None:
        total = sum(known[i].cost_cents or 0 for i in chosen)
        if total > parameters.budget_cents:
            _refuse(
                Message("The chosen options cost more than the budget."),
                cost_cents=total,
                budget_cents=parameters.budget_cents,
            )
    return chosen


def ballot_cost(options: Sequence[Choice], chosen: Sequence[int]) -> int:
    costs = {o.id: o.cost_cents or 0 for o in options}
    return sum(costs.get(i, 0) for i in chosen)


def _refuse(message: str, **limits: object) -> None:
    """Messages carry no per-vote numbers, so pages can translate them; the numbers
    travel beside them in the problem details."""
    error = InvalidInput.on("choices", message)
    error.extra.update(limits)
    raise error


def _option_id(known: Mapping[int, Choice], raw: object) -> int:
    value: object = raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    if not isinstance(value, int) or isinstance(value, bool) or value not in known:
        _refuse(Message("This vote has no such option."), option=str(raw)[:40])
    assert isinstance(value, int)
    return value


def _whole(raw: object, message: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        _refuse(message)
    assert isinstance(raw, int)
    return raw


def _approvals(known: Mapping[int, Choice], choices: object) -> list[int]:
    if not isinstance(choices, list):
        _refuse(Message("Send the chosen options as a list of option ids."))
    assert isinstance(choices, list)
    if len(choices) > CHOICES_MAX:
        _refuse(Message("Too many choices."))
    chosen = [_option_id(known, raw) for raw in choices]
    if len(set(chosen)) != len(chosen):
        _refuse(Message("An option is chosen twice."))
    if not chosen:
        _refuse(Message("Choose at least one option."))
    return sorted(chosen)


def _ranking(known: Mapping[int, Choice], choices: object) -> list[int]:
    """Best first. Ranks given as numbers only order the options: 1, 3, 4 is 1, 2, 3."""
    if isinstance(choices, dict):
        if len(choices) > CHOICES_MAX:
            _refuse(Message("Too many choices."))
        ranks = {
            _option_id(known, key): _whole(value, Message("Ranks must be whole numbers."))
            for key, value in choices.items()
        }
        if any(rank < 1 for rank in ranks.values()):
            _refuse(Message("Ranks start at 1."))
        taken: dict[int, int] = {}
        for option, rank in ranks.items():
            if rank in taken:
                _refuse(
                    Message("Two options share a rank; give each option its own rank."), rank=rank
                )
            taken[rank] = option
        ranking = [taken[rank] for rank in sorted(taken)]
    elif isinstance(choices, list):
        if len(choices) > CHOICES_MAX:
            _refuse(Message("Too many choices."))
        ranking = [_option_id(known, raw) for raw in choices]
        if len(set(ranking)) != len(ranking):
            _refuse(Message("An option is ranked twice; give each option one rank."))
    else:
        _refuse(Message("Send the ranking as a list of option ids, best first."))
    if not ranking:
        _refuse(Message("Rank at least one option."))
    return ranking


def _points(parameters: Parameters, known: Mapping[int, Choice], choices: object) -> dict[str, int]:
    if not isinstance(choices, dict):
        _refuse(Message("Send the points as an object of option id → points."))
    assert isinstance(choices, dict)
    if len(choices) > CHOICES_MAX:
        _refuse(Message("Too many choices."))
    given = {
        _option_id(known, key): _whole(value, Message("Points must be whole numbers."))
        for key, value in choices.items()
    }
    if any(points < 0 for points in given.values()):
        _refuse(Message("Points cannot be negative."))
    cap = parameters.points_cap
    if cap is not None and any(points > cap for points in given.values()):
        _refuse(
            Message("More points on one option than this vote allows."), points_max_per_option=cap
        )
    total = sum(given.values())
    if parameters.points_total is not None and total > parameters.points_total:
        _refuse(
            Message("More points given than this vote allows in total."),
            points_total=parameters.points_total,
        )
    if total == 0:
        _refuse(Message("Give at least one point."))
    return {str(option): points for option, points in sorted(given.items()) if points}
