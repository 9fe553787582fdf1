"""One function per user action on votes; each checks, validates, writes and records events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from participation import clock
from participation.accounts.actors import Actor
from participation.accounts.models import Level
from participation.accounts.permissions import Action, may, require
from participation.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import district_by_slug, municipality_by_slug, place_of
from participation.outbox import events
from participation.text import render_markdown
from participation.votes import (
    ballots,
    casting,
    clockwork,
    lifecycle,
    moves,
    permissions,
    secrecy,
    stages,
)
from participation.votes.ballots import Parameters
from participation.votes.casting import Cast
from participation.votes.lifecycle import Mover
from participation.votes.models import Ballot, Rule, Vote, VoteOption, VoteStatus
from participation.votes.queries import ballot_choices, choices_of, options_of, parameters_of


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


async def get_visible(actor: Actor | None, vote_id: int) -> Vote:
    """The vote, opened or closed if its time has come; drafts of others look absent."""
    vote = await Vote.get_or_none(id=vote_id)
    if vote is None or not permissions.may_view(actor, vote):
        raise NotFound("This vote does not exist.")
    return await clockwork.catch_up(vote)


async def create_vote(
    actor: Actor | None,
    draft: VoteDraft,
    options: Sequence[OptionDraft] = (),
    *,
    municipality_slug: str | None = None,
    mandate_id: int | None = None,
) -> Vote:
    """Create a draft vote in a municipality (council) or on a mandate (council, or the
    mandate's initiator, whose vote the council must then schedule).

    Raises NotAuthenticated, NotFound (no such mandate), PermissionDenied and
    InvalidInput naming each bad field; nothing is stored when any check fails.
    """
    if actor is None:
        raise NotAuthenticated("Sign in to prepare a vote.")
    if mandate_id is not None:
        mandate = await Mandate.get_or_none(id=mandate_id)
        if mandate is None or mandate.status == Status.DRAFT:
            raise NotFound("This mandate does not exist.")
        municipality = await Municipality.get(id=mandate.municipality_id)
        place = await place_of(municipality.id)
        if not may(actor, Action.MANAGE_VOTE, place):
            require(actor, Action.PROPOSE_VOTE, place, owner_id=mandate.initiator_id)
        if mandate.status not in permissions.VOTABLE_MANDATES:
            raise Conflict("Votes can only be held on a mandate that is still running.")
    else:
        found = await municipality_by_slug(municipality_slug or "")
        if found is None:
            raise NotFound("This municipality does not exist.")
        municipality = found
        require(actor, Action.MANAGE_VOTE, await place_of(municipality.id))
    values, problems = await _check_draft(municipality, draft)
    option_rows, option_problems = _check_options(options)
    problems |= option_problems
    if problems:
        raise _invalid(problems)
    async with in_transaction() as conn:
        vote = await Vote.create(
            municipality_id=municipality.id,
            mandate_id=mandate_id,
            created_by_id=actor.user_id,
            using_db=conn,
            **values,
        )
        await VoteOption.bulk_create([_attach(row, vote.id) for row in option_rows], using_db=conn)
        await events.append(conn, "votes:vote:created", vote_id=vote.id, mandate=mandate_id)
    events.nudge()
    return vote


async def update_vote(
    actor: Actor | None,
    vote_id: int,
    changes: Mapping[str, Any],
    options: Sequence[OptionDraft] | None = None,
) -> Vote:
    """Change a draft's settings, and its options when `options` is given; fields not
    named in `changes` stay as they are. Both change together or not at all.

    Raises NotFound, PermissionDenied (neither council nor proposer), Conflict (no
    longer a draft) and InvalidInput naming each bad field.
    """
    vote = await _editable(actor, vote_id)
    unknown = set(changes) - DRAFT_FIELDS
    if unknown:
        raise InvalidInput.on(sorted(unknown)[0], "Unknown field.")
    municipality = await Municipality.get(id=vote.municipality_id)
    draft = replace(await _draft_of(vote), **changes)
    values, problems = await _check_draft(municipality, draft)
    rows, option_problems = _check_options(options or [])
    problems |= option_problems
    if problems:
        raise _invalid(problems)
    async with in_transaction() as conn:
        moved = (
            await Vote.filter(id=vote.id, status=VoteStatus.DRAFT)
            .using_db(conn)
            .update(updated_at=clock.now(), **values)
        )
        if not moved:
            raise Conflict("Only a draft can be changed.")
        if options is not None:
            await _put_options(conn, vote.id, rows)
    return await Vote.get(id=vote.id)


async def replace_options(
    actor: Actor | None, vote_id: int, options: Sequence[OptionDraft]
) -> list[VoteOption]:
    """Replace a draft's options with `options`, in that order.

    Raises NotFound, PermissionDenied, Conflict (no longer a draft) and InvalidInput.
    """
    vote = await _editable(actor, vote_id)
    rows, problems = _check_options(options)
    if problems:
        raise _invalid(problems)
    async with in_transaction() as conn:
        # Conditional on the status: a draft scheduled a moment ago keeps its options.
        still = (
            await Vote.filter(id=vote.id, status=VoteStatus.DRAFT)
            .using_db(conn)
            .update(updated_at=clock.now())
        )
        if not still:
            raise Conflict("Only a draft's options can be changed.")
        await _put_options(conn, vote.id, rows)
    return await options_of(vote.id)


async def transition_vote(
    actor: Actor | None, vote_id: int, target: VoteStatus | str, reason: str | None = None
) -> Vote:
    """Move a vote along its lifecycle as the council or its proposer.

    Raises NotFound, InvalidInput (unknown status, missing or over-long reason, or a
    draft not ready to be scheduled, naming the field), Conflict (the move does not
    exist from the current status; lists those that do) and PermissionDenied.
    """
    vote = await get_visible(actor, vote_id)
    try:
        target = VoteStatus(target)
    except ValueError:
        raise InvalidInput.on("to", f"Unknown status {str(target)[:40]!r}.") from None
    reason = (reason or "").strip() or None
    if reason and len(reason) > lifecycle.REASON_MAX:
        raise InvalidInput.on("reason", "The reason must be at most 2000 characters.")
    source = VoteStatus(vote.status)
    movers = permissions.movers_for(actor, vote)
    transition = lifecycle.find(source, target, movers)
    if transition is None:
        allowed = [t.target.value for t in lifecycle.moves_from(source, movers)]
        if lifecycle.find(source, target, {Mover.COUNCIL, Mover.OWNER}):
            raise PermissionDenied("Only the council may make this move.")
        raise Conflict(
            f"A vote in status {source} cannot move to {target}.",
            allowed_transitions=allowed,
            status_now=source.value,
        )
    if transition.needs_reason and not reason:
        raise InvalidInput.on("reason", "This move needs a reason.")
    if target == VoteStatus.SCHEDULED:
        await _schedule(vote, actor)
    elif target == VoteStatus.DRAFT:
        async with in_transaction() as conn:
            await moves.apply(conn, vote, target, actor, reason)
        events.nudge()
    elif target == VoteStatus.OPEN:
        if vote.closes_at is not None and vote.closes_at <= clock.now():
            raise Conflict("The closing time has passed; move the vote back to draft first.")
        await stages.open_vote(vote, actor)
    elif target == VoteStatus.CLOSED:
        await stages.close_vote(vote, actor, reason)
    elif target == VoteStatus.PUBLISHED:
        await stages.publish_vote(vote, actor)
    else:
        assert reason is not None
        await stages.cancel_vote(vote, actor, reason)
    return await Vote.get(id=vote.id)


async def schedule_vote(actor: Actor | None, vote_id: int) -> Vote:
    """Schedule a ready draft (council). See `transition_vote` for the errors."""
    return await transition_vote(actor, vote_id, VoteStatus.SCHEDULED)


async def open_vote(actor: Actor | None, vote_id: int) -> Vote:
    """Open a scheduled vote now instead of at its opening time (council)."""
    return await transition_vote(actor, vote_id, VoteStatus.OPEN)


async def close_vote(actor: Actor | None, vote_id: int, reason: str) -> Vote:
    """Close an open vote before its closing time, with a public reason (council)."""
    return await transition_vote(actor, vote_id, VoteStatus.CLOSED, reason)


async def publish_vote(actor: Actor | None, vote_id: int) -> Vote:
    """Count a closed vote and publish its result (council; the clock job does it too)."""
    return await transition_vote(actor, vote_id, VoteStatus.PUBLISHED)


async def cancel_vote(actor: Actor | None, vote_id: int, reason: str) -> Vote:
    """Cancel a vote that has not closed, with a public reason; no result is published."""
    return await transition_vote(actor, vote_id, VoteStatus.CANCELLED, reason)


async def cast_ballot(actor: Actor | None, vote_id: int, choices: object) -> Cast:
    """Cast or replace one's ballot; returns the receipt code, shown to the voter once.

    Raises NotAuthenticated, NotFound, Conflict (not open: before its opening or after
    its closing), PermissionDenied (not eligible) and InvalidInput on `choices` naming
    the problem. Nothing is stored when any check fails.
    """
    if actor is None:
        raise NotAuthenticated("Sign in to vote.")
    vote = await get_visible(actor, vote_id)
    if vote.status in (VoteStatus.DRAFT, VoteStatus.SCHEDULED):
        raise Conflict("This vote is not open yet.", status_now=vote.status)
    if vote.status != VoteStatus.OPEN:
        raise Conflict("This vote is no longer open.", status_now=vote.status)
    require(actor, Action.CAST_BALLOT, await permissions.ballot_place(vote))
    stored = ballots.normalise(parameters_of(vote), await ballot_choices(vote), choices)
    return await casting.cast(vote.id, actor.user_id, stored, vote.ballot_key)


async def my_ballot(actor: Actor | None, vote_id: int) -> Any | None:
    """One's own current ballot while the vote is open, or None if one has not voted.

    Raises NotAuthenticated, NotFound and Conflict (not open: once the vote closes,
    ballots are no longer looked up by person).
    """
    if actor is None:
        raise NotAuthenticated("Sign in to see your ballot.")
    vote = await get_visible(actor, vote_id)
    if vote.status != VoteStatus.OPEN or vote.ballot_key is None:
        raise Conflict("Your ballot can only be shown while the vote is open.")
    slot = secrecy.slot(vote.ballot_key, actor.user_id)
    ballot = await Ballot.get_or_none(vote_id=vote.id, slot=slot)
    return ballot.choices if ballot else None


# -- helpers ---------------------------------------------------------------------------


def _attach(row: VoteOption, vote_id: int) -> VoteOption:
    row.vote_id = vote_id
    return row


async def _put_options(conn: BaseDBAsyncClient, vote_id: int, rows: list[VoteOption]) -> None:
    await VoteOption.filter(vote_id=vote_id).using_db(conn).delete()
    await VoteOption.bulk_create([_attach(row, vote_id) for row in rows], using_db=conn)


def _invalid(
    problems: dict[str, str], detail: str = "The vote has invalid fields."
) -> InvalidInput:
    return InvalidInput(detail, [FieldError(field, message) for field, message in problems.items()])


async def _editable(actor: Actor | None, vote_id: int) -> Vote:
    if actor is None:
        raise NotAuthenticated("Sign in first.")
    vote = await get_visible(actor, vote_id)
    if not permissions.may_prepare(actor, vote):
        raise PermissionDenied("Only the council and the proposer may change this vote.")
    if vote.status != VoteStatus.DRAFT:
        raise Conflict("Only a draft can be changed.", status_now=vote.status)
    return vote


async def _draft_of(vote: Vote) -> VoteDraft:
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


def _text_problem(text: str, maximum: int, required: bool) -> str | None:
    if "\x00" in text:
        return "Text must not contain NUL characters."
    if required and not text.strip():
        return "This must not be empty."
    if len(text) > maximum:
        return f"At most {maximum} characters."
    return None


async def _check_draft(
    municipality: Municipality, draft: VoteDraft
) -> tuple[dict[str, Any], dict[str, str]]:
    """The model's values for `draft`, and field → message for each problem."""
    problems: dict[str, str] = {}
    for field, text, maximum, required in (
        ("title", draft.title, ballots.TITLE_MAX, True),
        ("description", draft.description, ballots.DESCRIPTION_MAX, False),
    ):
        problem = _text_problem(text, maximum, required)
        if problem:
            problems[field] = problem
    try:
        rule = Rule(draft.rule)
    except ValueError:
        problems["rule"] = "Unknown rule."
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
    level = draft.eligibility_level or municipality.vote_level
    try:
        level = Level(level)
    except ValueError:
        problems["eligibility_level"] = "Unknown verification level."
        level = Level(municipality.vote_level)
    district_id = None
    if draft.district:
        district = await district_by_slug(municipality.id, draft.district)
        if district is None:
            problems["district"] = "This district does not exist in this municipality."
        else:
            district_id = district.id
    for field, moment in (("opens_at", draft.opens_at), ("closes_at", draft.closes_at)):
        if moment is not None and moment.tzinfo is None:
            problems[field] = "Give the time with its UTC offset."
    if (
        "opens_at" not in problems
        and "closes_at" not in problems
        and draft.opens_at
        and draft.closes_at
        and draft.closes_at <= draft.opens_at
    ):
        problems["closes_at"] = "The vote must close after it opens."
    if not 0 <= draft.min_turnout <= ballots.COUNT_MAX:
        problems["min_turnout"] = "Must be a whole number from 0 to 10000000."
    values = {
        "title": draft.title.strip(),
        "description": draft.description,
        "description_html": render_markdown(draft.description),
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


def _check_options(options: Sequence[OptionDraft]) -> tuple[list[VoteOption], dict[str, str]]:
    problems: dict[str, str] = {}
    if len(options) > ballots.OPTIONS_MAX:
        problems["options"] = f"At most {ballots.OPTIONS_MAX} options."
        return [], problems
    rows = []
    for n, option in enumerate(options):
        for field, text, maximum, required in (
            ("title", option.title, ballots.TITLE_MAX, True),
            ("description", option.description, ballots.OPTION_DESCRIPTION_MAX, False),
        ):
            problem = _text_problem(text, maximum, required)
            if problem:
                problems[f"options.{n}.{field}"] = problem
        cost = option.cost_cents
        if cost is not None and not 0 <= cost <= ballots.MONEY_MAX:
            problems[f"options.{n}.cost_cents"] = "Must be a whole number of cents, 0 or more."
        rows.append(
            VoteOption(
                position=n + 1,
                title=option.title.strip(),
                description=option.description.strip(),
                cost_cents=cost,
            )
        )
    return rows, problems


async def _schedule(vote: Vote, actor: Actor | None) -> None:
    options = await choices_of(vote.id)
    problems = ballots.readiness(
        parameters_of(vote), options, vote.opens_at, vote.closes_at, clock.now()
    )
    if problems:
        raise _invalid(problems, "The vote is not ready to be scheduled.")
    async with in_transaction() as conn:
        await moves.apply(conn, vote, VoteStatus.SCHEDULED, actor)
    events.nudge()
