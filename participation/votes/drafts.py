"""A vote's draft: the settings and options its proposer types, checked before they are
stored. Everything wrong is named at once, field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from participation import single_line, text
from participation.errors import InvalidInput
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import RETIRED_DISTRICT, district_by_slug, place_of
from participation.permissions import Level
from participation.votes import ballots
from participation.votes.actions import CAST_BALLOT
from participation.votes.ballots import Parameters
from participation.votes.models import Rule, Vote, VoteOption


@dataclass(frozen=True)
class OptionDraft:
    title: str
    description: str = ""
    cost_cents: int | None = None


@dataclass(frozen=True)
class VoteDraft:
    """Everything about a vote its proposer sets, options aside."""

    title: str
    description: str = ""
    rule: Rule | str = Rule.APPROVAL
    max_choices: int | None = None
    points_total: int | None = None
    points_max_per_option: int | None = None
    budget_cents: int | None = None
    limit_ballot_cost: bool = True
    min_votes: int | None = None
    district: str | None = None
    eligibility_level: Level | str | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    min_turnout: int = 0


DRAFT_FIELDS = frozenset(f.name for f in fields(VoteDraft))


async def draft_of(vote: Vote) -> VoteDraft:
    district = await District.get_or_none(id=vote.district_id) if vote.district_id else None
    return VoteDraft(
        title=vote.title,
        description=vote.description,
        rule=vote.rule,
        max_choices=vote.max_choices,
        points_total=vote.points_total,
        points_max_per_option=vote.points_max_per_option,
        budget_cents=vote.budget_cents,
        limit_ballot_cost=vote.limit_ballot_cost,
        min_votes=vote.min_votes,
        district=district.slug if district else None,
        eligibility_level=vote.eligibility_level,
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
        min_turnout=vote.min_turnout,
    )


def _text_problem(text: str, maximum: int, required: bool, one_line: bool) -> str | None:
    if one_line and (problem := single_line.problem(text)):
        return problem
    if "\x00" in text:
        return Message("Text must not contain NUL characters.")
    if required and not text.strip():
        return Message("This must not be empty.")
    if len(text) > maximum:
        return Message("At most %(max)s characters.", max=maximum)
    return None


async def check_draft(
    municipality: Municipality, draft: VoteDraft
) -> tuple[dict[str, Any], dict[str, str]]:
    """The model's values for `draft`, and field → message for each problem."""
    problems: dict[str, str] = {}
    for field, value, maximum, required, one_line in (
        ("title", draft.title, ballots.TITLE_MAX, True, True),
        ("description", draft.description, ballots.DESCRIPTION_MAX, False, False),
    ):
        problem = _text_problem(value, maximum, required, one_line)
        if problem:
            problems[field] = problem
    description_html = ""
    if "description" not in problems:
        try:
            description_html = await text.render(draft.description, "description")
        except InvalidInput as exc:
            problems["description"] = exc.detail
    try:
        rule = Rule(draft.rule)
    except ValueError:
        problems["rule"] = Message("Unknown rule.")
        rule = Rule.APPROVAL
    parameters, parameter_problems = ballots.clean_parameters(
        Parameters(
            rule=rule,
            max_choices=draft.max_choices,
            points_total=draft.points_total,
            points_max_per_option=draft.points_max_per_option,
            budget_cents=draft.budget_cents,
            limit_ballot_cost=draft.limit_ballot_cost,
            min_votes=draft.min_votes,
        )
    )
    problems |= parameter_problems
    chosen = (await place_of(municipality.id)).level(CAST_BALLOT)
    level = draft.eligibility_level or chosen
    try:
        level = Level(level)
    except ValueError:
        problems["eligibility_level"] = Message("Unknown verification level.")
        level = chosen
    district_id = None
    if draft.district:
        district = await district_by_slug(municipality.id, draft.district)
        if district is None:
            problems["district"] = Message("This district does not exist in this municipality.")
        elif district.retired:
            problems["district"] = RETIRED_DISTRICT
        else:
            district_id = district.id
    for field, moment in (("opens_at", draft.opens_at), ("closes_at", draft.closes_at)):
        if moment is not None and moment.tzinfo is None:
            problems[field] = Message("Give the time with its UTC offset.")
    if (
        "opens_at" not in problems
        and "closes_at" not in problems
        and draft.opens_at
        and draft.closes_at
        and draft.closes_at <= draft.opens_at
    ):
        problems["closes_at"] = Message("The vote must close after it opens.")
    if not 0 <= draft.min_turnout <= ballots.COUNT_MAX:
        problems["min_turnout"] = Message(
            "Must be a whole number from %(min)s to %(max)s.", min=0, max=ballots.COUNT_MAX
        )
    values = {
        "title": draft.title.strip(),
        "description": draft.description,
        "description_html": description_html,
        "rule": rule,
        "max_choices": parameters.max_choices,
        "points_total": parameters.points_total,
        "points_max_per_option": parameters.points_max_per_option,
        "budget_cents": parameters.budget_cents,
        "limit_ballot_cost": parameters.limit_ballot_cost,
        "min_votes": parameters.min_votes,
        "district_id": district_id,
        "eligibility_level": level,
        "opens_at": draft.opens_at,
        "closes_at": draft.closes_at,
        "min_turnout": draft.min_turnout,
    }
    return values, problems


def check_options(options: Sequence[OptionDraft]) -> tuple[list[VoteOption], dict[str, str]]:
    problems: dict[str, str] = {}
    if len(options) > ballots.OPTIONS_MAX:
        problems["options"] = Message("At most %(max)s options.", max=ballots.OPTIONS_MAX)
        return [], problems
    rows = []
    for n, option in enumerate(options):
        for field, value, maximum, required in (
            ("title", option.title, ballots.TITLE_MAX, True),
            ("description", option.description, ballots.OPTION_DESCRIPTION_MAX, False),
        ):
            problem = _text_problem(value, maximum, required, one_line=True)
            if problem:
                problems[f"options.{n}.{field}"] = problem
        cost = option.cost_cents
        if cost is not None and not 0 <= cost <= ballots.MONEY_MAX:
            problems[f"options.{n}.cost_cents"] = Message(
                "Must be a whole number of cents, 0 or more."
            )
        rows.append(
            VoteOption(
                position=n + 1,
                title=option.title.strip(),
                description=option.description.strip(),
                cost_cents=cost,
            )
        )
    return rows, problems
