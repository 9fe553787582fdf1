"""One function per user action on mandates; each checks, validates, writes and records events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from participation import clock, text, unit
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
from participation.mandates import counter, lifecycle, permissions, quorum, rules, signing
from participation.mandates.actions import LAUNCH_MANDATE, SIGN_MANDATE, WITHDRAW_SIGNATURE
from participation.mandates.lifecycle import Mover
from participation.mandates.models import Mandate, MandateTopic, Status
from participation.messages import Message
from participation.municipalities.queries import (
    RETIRED_DISTRICT,
    district_by_slug,
    municipality_by_slug,
    place_of,
)
from participation.permissions import require
from participation.sql import run
from participation.suspensions.check import ensure_not_suspended
from participation.timeline import entries as timeline


@dataclass(frozen=True)
class SignOutcome:
    created: bool
    signature_count: int
    status: Status


# A mandate never moves to another municipality, so its home is cached for the signing path.
_homes: dict[int, int] = {}
HOMES_MAX = 50_000


async def mandate_home(mandate_id: int) -> int | None:
    """The municipality id of a mandate, or None if there is no such mandate."""
    if mandate_id not in _homes:
        mandate = await Mandate.get_or_none(id=mandate_id).only("id", "municipality_id")
        if mandate is None:
            return None
        if len(_homes) >= HOMES_MAX:
            _homes.clear()
        _homes[mandate_id] = mandate.municipality_id
    return _homes[mandate_id]


async def get_visible(actor: Actor | None, mandate_id: int) -> Mandate:
    """The mandate if `actor` may see it; drafts of others look like they do not exist."""
    mandate = await Mandate.get_or_none(id=mandate_id)
    if mandate is None or not permissions.may_view(actor, mandate):
        raise NotFound(Message("This mandate does not exist."))
    return mandate


@subjects.discussed(SubjectType.MANDATE)
async def discussed_mandate(actor: Actor | None, mandate_id: int) -> subjects.Subject:
    """The mandate as its discussion names it, if `actor` may see it."""
    try:
        mandate = await get_visible(actor, mandate_id)
    except NotFound:
        raise NotFound(subjects.GONE) from None
    link = f"/mandates/{mandate.id}"
    return subjects.Subject(
        SubjectType.MANDATE, mandate.id, mandate.title, link, mandate.department_id
    )


async def launch_mandate(
    actor: Actor | None,
    municipality_slug: str,
    *,
    title: str,
    summary: str,
    body: str,
    district: str | None = None,
    topics: list[str] | None = None,
) -> Mandate:
    """Create a draft mandate with `actor` as initiator.

    Raises NotAuthenticated, PermissionDenied (not verified to the municipality's launch
    level) and InvalidInput naming each bad field, the municipality included; nothing
    is stored when any check fails.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in to launch a mandate."))
    municipality = await municipality_by_slug(municipality_slug)
    if municipality is None:
        raise InvalidInput.on(
            "municipality", Message("Unknown municipality %(slug)r.", slug=municipality_slug)
        )
    require(actor, LAUNCH_MANDATE, await place_of(municipality.id))
    await ensure_not_suspended(actor, municipality.id)
    problems = rules.check_content(title, summary, body, topics or [])
    tags = rules.normalise_topics(topics or [])
    district_row = None
    if district:
        district_row = await district_by_slug(municipality.id, district)
        if district_row is None:
            problems["district"] = Message("This district does not exist in this municipality.")
        elif district_row.retired:
            problems["district"] = RETIRED_DISTRICT
    body_html = ""
    if "body" not in problems:
        try:
            body_html = await text.render(body, "body")
        except InvalidInput as exc:
            problems["body"] = exc.detail
    if problems:
        raise InvalidInput(
            Message("The mandate has invalid fields."),
            [FieldError(field, message) for field, message in problems.items()],
        )
    async with unit.atomic() as u:
        mandate = await Mandate.create(
            municipality_id=municipality.id,
            district_id=district_row.id if district_row else None,
            initiator_id=actor.user_id,
            title=title.strip(),
            summary=summary.strip(),
            body=body,
            body_html=body_html,
            quorum=municipality.default_quorum,
            using_db=u.conn,
        )
        if tags:
            await MandateTopic.bulk_create(
                [MandateTopic(mandate_id=mandate.id, topic=t) for t in tags], using_db=u.conn
            )
        await counter.create_shards(u.conn, mandate.id)
        await open_thread(u, SubjectType.MANDATE, mandate.id, municipality.id)
        await timeline.record(
            u,
            mandate.id,
            "launched",
            "mandates:mandate:launched",
            {},
            municipality_id=municipality.id,
            actor_id=actor.user_id,
        )
    return mandate


async def publish_mandate(actor: Actor | None, mandate_id: int) -> Mandate:
    """Open a draft for co-signing; the initiator becomes its first signer.

    Raises NotFound, PermissionDenied (not the initiator) and Conflict (not a draft).
    """
    await ensure_not_suspended(actor, await mandate_home(mandate_id) or 0)
    return await transition_mandate(actor, mandate_id, Status.COLLECTING)


async def transition_mandate(
    actor: Actor | None, mandate_id: int, target: Status | str, reason: str | None = None
) -> Mandate:
    """Move a mandate along its lifecycle as the initiator or the council.

    Raises NotFound, InvalidInput (unknown status, missing or over-long reason),
    Conflict (the move does not exist from the current status; lists those that do)
    and PermissionDenied (the move exists but belongs to someone else).
    """
    mandate = await get_visible(actor, mandate_id)
    try:
        target = Status(target)
    except ValueError:
        raise InvalidInput.on("to", Message("Unknown status %(status)r.", status=target)) from None
    movers = permissions.movers_for(actor, mandate)
    transition = lifecycle.find(Status(mandate.status), target)
    if transition is None or transition.mover == Mover.SYSTEM:
        allowed = [t.target.value for t in lifecycle.moves_from(Status(mandate.status), movers)]
        raise Conflict(
            Message(
                "A mandate in status %(status)s cannot move to %(target)s.",
                status=mandate.status,
                target=target,
            ),
            allowed_transitions=allowed,
            status_now=mandate.status,
        )
    if transition.mover not in movers:
        if transition.mover == Mover.INITIATOR:
            refusal = Message(
                "Only the initiator may move this mandate to %(target)s.", target=target
            )
        else:
            refusal = Message(
                "Only the council may move this mandate to %(target)s.", target=target
            )
        raise PermissionDenied(refusal)
    reason = lifecycle.check_reason(transition, reason)
    async with unit.atomic() as u:
        await lifecycle.move(u, mandate, target, actor, reason)
        if target == Status.COLLECTING:
            # Only the initiator may launch (see lifecycle), so a launched mandate has one.
            assert mandate.initiator_id is not None and actor is not None
            await signing.add_signature(
                u, mandate.id, mandate.initiator_id, actor.is_resident(mandate.municipality_id)
            )
            u.after_commit(partial(quorum.check_quorum, mandate.id))
    return await Mandate.get(id=mandate.id)


async def sign_mandate(actor: Actor | None, mandate_id: int) -> SignOutcome:
    """Co-sign; signing twice is harmless and reports `created=False`.

    Raises NotAuthenticated, PermissionDenied (not verified to the municipality's
    signing level), NotFound and Conflict (the mandate is not open for signatures).
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in to co-sign."))
    home = await mandate_home(mandate_id)
    if home is None:
        raise NotFound(Message("This mandate does not exist."))
    require(actor, SIGN_MANDATE, await place_of(home))
    attempt = await signing.sign(mandate_id, actor.user_id, actor.is_resident(home))
    mandate = attempt.mandate
    if mandate is None or not permissions.may_view(actor, mandate):
        raise NotFound(Message("This mandate does not exist."))
    if not attempt.created:
        if not rules.open_for_signatures(Status(mandate.status), mandate.closes_at, clock.now()):
            raise Conflict(
                Message("This mandate is not open for signatures."), status_now=mandate.status
            )
        return SignOutcome(False, attempt.total, Status(mandate.status))
    if rules.milestone_reached(attempt.total, mandate.quorum) <= mandate.milestone:
        return SignOutcome(True, attempt.total, Status(mandate.status))
    total, status = await quorum.check_quorum(mandate_id)
    return SignOutcome(True, total, status)


async def withdraw_signature(actor: Actor | None, mandate_id: int) -> int:
    """Take back one's signature while the mandate is collecting; returns the new count.

    Raises PermissionDenied (not signed in), NotFound and Conflict (no longer
    collecting, or the initiator, whose signature stands with the mandate).
    """
    mandate = await get_visible(actor, mandate_id)
    actor = require(actor, WITHDRAW_SIGNATURE, await place_of(mandate.municipality_id))
    if mandate.status not in rules.WITHDRAWABLE_SIGNATURE:
        raise Conflict(
            Message("Signatures can only be withdrawn while the mandate is collecting."),
            status_now=mandate.status,
        )
    if mandate.initiator_id == actor.user_id:
        raise Conflict(Message("The initiator's signature stands; withdraw the mandate instead."))
    async with unit.atomic() as u:
        deleted = await run(
            u.conn,
            # Conditional on the status, so a withdrawal racing the quorum cannot undo it.
            "DELETE FROM signature WHERE mandate_id = $1 AND user_id = $2 AND EXISTS "
            "(SELECT 1 FROM mandate WHERE id = $1 AND status = 'collecting') "
            "RETURNING id, resident",
            mandate.id,
            actor.user_id,
        )
        if deleted:
            await counter.add(u.conn, mandate.id, -1, -int(bool(deleted[0]["resident"])))
            await u.record(
                "mandates:signature:withdrawn",
                "mandate",
                mandate.id,
                municipality_id=mandate.municipality_id,
                actor_id=actor.user_id,
                mandate_id=mandate.id,
            )
    return await counter.total(mandate.id)
