"""One function per user action on votes; each checks, validates, writes and records events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock, unit
from participation.actors import Actor
from participation.deliberation import subjects
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import open_thread
from participation.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import may, require
from participation.votes import (
    ballots,
    casting,
    clockwork,
    drafts,
    lifecycle,
    permissions,
    secrecy,
    stages,
)
from participation.votes.actions import CAST_BALLOT, MANAGE_VOTE, PROPOSE_VOTE
from participation.votes.casting import Cast
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.lifecycle import Mover
from participation.votes.models import Ballot, Vote, VoteOption, VoteStatus
from participation.votes.queries import ballot_choices, choices_of, options_of, parameters_of


async def get_visible(actor: Actor | None, vote_id: int) -> Vote:
    """The vote, opened or closed if its time has come; drafts of others look absent."""
    vote = await Vote.get_or_none(id=vote_id)
    if vote is None or not permissions.may_view(actor, vote):
        raise NotFound(Message("This vote does not exist."))
    return await clockwork.catch_up(vote)


@subjects.discussed(SubjectType.VOTE)
async def discussed_vote(actor: Actor | None, vote_id: int) -> subjects.Subject:
    """The vote as its discussion names it, if `actor` may see it; signed for with its
    mandate's department, if it has a mandate."""
    vote = await Vote.get_or_none(id=vote_id)
    if vote is None or not permissions.may_view(actor, vote):
        raise NotFound(subjects.GONE)
    department = None
    if vote.mandate_id is not None:
        mandate = await Mandate.get_or_none(id=vote.mandate_id).only("id", "department_id")
        department = mandate.department_id if mandate else None
    return subjects.Subject(SubjectType.VOTE, vote.id, vote.title, f"/votes/{vote.id}", department)


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
        raise NotAuthenticated(Message("Sign in to prepare a vote."))
    if mandate_id is not None:
        mandate = await Mandate.get_or_none(id=mandate_id)
        if mandate is None or mandate.status == Status.DRAFT:
            raise NotFound(Message("This mandate does not exist."))
        municipality = await Municipality.get(id=mandate.municipality_id)
        place = await place_of(municipality.id)
        if not may(actor, MANAGE_VOTE, place):
            require(actor, PROPOSE_VOTE, place, owner_id=mandate.initiator_id)
        if mandate.status not in permissions.VOTABLE_MANDATES:
            raise Conflict(Message("Votes can only be held on a mandate that is still running."))
    else:
        found = await municipality_by_slug(municipality_slug or "")
        if found is None:
            raise NotFound(Message("This municipality does not exist."))
        municipality = found
        require(actor, MANAGE_VOTE, await place_of(municipality.id))
    values, problems = await drafts.check_draft(municipality, draft)
    option_rows, option_problems = drafts.check_options(options)
    problems |= option_problems
    if problems:
        raise _invalid(problems)
    async with unit.atomic() as u:
        vote = await Vote.create(
            municipality_id=municipality.id,
            mandate_id=mandate_id,
            created_by_id=actor.user_id,
            using_db=u.conn,
            **values,
        )
        await VoteOption.bulk_create(
            [_attach(row, vote.id) for row in option_rows], using_db=u.conn
        )
        await open_thread(u, SubjectType.VOTE, vote.id, municipality.id)
        await u.record(
            "votes:vote:created",
            "vote",
            vote.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id,
            vote_id=vote.id,
            mandate_id=mandate_id,
        )
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
    unknown = set(changes) - drafts.DRAFT_FIELDS
    if unknown:
        raise InvalidInput.on(sorted(unknown)[0], Message("Unknown field."))
    municipality = await Municipality.get(id=vote.municipality_id)
    draft = replace(await drafts.draft_of(vote), **changes)
    values, problems = await drafts.check_draft(municipality, draft)
    rows, option_problems = drafts.check_options(options or [])
    problems |= option_problems
    if problems:
        raise _invalid(problems)
    async with unit.atomic() as u:
        moved = (
            await Vote.filter(id=vote.id, status=VoteStatus.DRAFT)
            .using_db(u.conn)
            .update(updated_at=clock.now(), **values)
        )
        if not moved:
            raise Conflict(Message("Only a draft can be changed."))
        if options is not None:
            await _put_options(u.conn, vote.id, rows)
    return await Vote.get(id=vote.id)


async def replace_options(
    actor: Actor | None, vote_id: int, options: Sequence[OptionDraft]
) -> list[VoteOption]:
    """Replace a draft's options with `options`, in that order.

    Raises NotFound, PermissionDenied, Conflict (no longer a draft) and InvalidInput.
    """
    vote = await _editable(actor, vote_id)
    rows, problems = drafts.check_options(options)
    if problems:
        raise _invalid(problems)
    async with unit.atomic() as u:
        # Conditional on the status: a draft scheduled a moment ago keeps its options.
        still = (
            await Vote.filter(id=vote.id, status=VoteStatus.DRAFT)
            .using_db(u.conn)
            .update(updated_at=clock.now())
        )
        if not still:
            raise Conflict(Message("Only a draft's options can be changed."))
        await _put_options(u.conn, vote.id, rows)
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
        raise InvalidInput.on(
            "to", Message("Unknown status %(status)r.", status=str(target)[:40])
        ) from None
    source = VoteStatus(vote.status)
    movers = permissions.movers_for(actor, vote)
    transition = lifecycle.find(source, target, movers)
    if transition is None:
        allowed = [t.target.value for t in lifecycle.moves_from(source, movers)]
        if lifecycle.find(source, target, {Mover.COUNCIL, Mover.OWNER}):
            raise PermissionDenied(Message("Only the council may make this move."))
        raise Conflict(
            Message(
                "A vote in status %(status)s cannot move to %(target)s.",
                status=source,
                target=target,
            ),
            allowed_transitions=allowed,
            status_now=source.value,
        )
    reason = lifecycle.check_reason(transition, reason)
    if target == VoteStatus.SCHEDULED:
        await _schedule(vote, actor)
    elif target == VoteStatus.DRAFT:
        async with unit.atomic() as u:
            await lifecycle.move(u, vote, target, actor, reason)
    elif target == VoteStatus.OPEN:
        if vote.closes_at is not None and vote.closes_at <= clock.now():
            raise Conflict(
                Message("The closing time has passed; move the vote back to draft first.")
            )
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
        raise NotAuthenticated(Message("Sign in to vote."))
    vote = await get_visible(actor, vote_id)
    if vote.status in (VoteStatus.DRAFT, VoteStatus.SCHEDULED):
        raise Conflict(Message("This vote is not open yet."), status_now=vote.status)
    if vote.status != VoteStatus.OPEN:
        raise Conflict(Message("This vote is no longer open."), status_now=vote.status)
    require(actor, CAST_BALLOT, await permissions.ballot_place(vote))
    stored = ballots.normalise(parameters_of(vote), await ballot_choices(vote), choices)
    return await casting.cast(vote.id, actor.user_id, stored, vote.ballot_key)


async def my_ballot(actor: Actor | None, vote_id: int) -> Any | None:
    """One's own current ballot while the vote is open, or None if one has not voted.

    Raises NotAuthenticated, NotFound and Conflict (not open: once the vote closes,
    ballots are no longer looked up by person).
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in to see your ballot."))
    vote = await get_visible(actor, vote_id)
    if vote.status != VoteStatus.OPEN or vote.ballot_key is None:
        raise Conflict(Message("Your ballot can only be shown while the vote is open."))
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
    problems: dict[str, str], detail: str = Message("The vote has invalid fields.")
) -> InvalidInput:
    return InvalidInput(detail, [FieldError(field, message) for field, message in problems.items()])


async def _editable(actor: Actor | None, vote_id: int) -> Vote:
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    vote = await get_visible(actor, vote_id)
    if not permissions.may_prepare(actor, vote):
        raise PermissionDenied(Message("Only the council and the proposer may change this vote."))
    if vote.status != VoteStatus.DRAFT:
        raise Conflict(Message("Only a draft can be changed."), status_now=vote.status)
    return vote


async def _schedule(vote: Vote, actor: Actor | None) -> None:
    options = await choices_of(vote.id)
    problems = ballots.readiness(
        parameters_of(vote), options, vote.opens_at, vote.closes_at, clock.now()
    )
    if problems:
        raise _invalid(problems, Message("The vote is not ready to be scheduled."))
    async with unit.atomic() as u:
        await lifecycle.move(u, vote, VoteStatus.SCHEDULED, actor)
