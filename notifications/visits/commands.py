"""The portal's call about a service visit, and what the invited person does with the
invitation: open it, give her score, add a comment.

A visit is refused (401, 409 or 422, and only a log line kept) unless an active portal
key of the municipality signed it, for us, just now, about a service of the catalogue
and a district of the municipality. An accepted one is stored with its outcome; only
an invitation makes the person known to it, and the email the portal sent is never kept.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from notifications.visits import matching, offer, rules
from notifications.visits.models import (
    Invitation,
    InvitationRule,
    Outcome,
    ServiceType,
    ServiceVisit,
)
from participation import clock, text, unit
from participation.accounts import portal_tokens
from participation.accounts.identity.commands import normalise_email
from participation.accounts.identity.consent import SERVICE_VISIT_INVITATIONS, has_consent
from participation.accounts.models import User
from participation.errors import Conflict, FieldError, InvalidInput, NotAuthenticated, NotFound
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import district_by_slug

log = logging.getLogger(__name__)

AUDIENCE = "auftrag:service-visit"
VISIT_MAX = 4096
FIELD = "visit"


@dataclass(frozen=True)
class Claims:
    jti: str
    service_type: ServiceType
    district: District | None
    occurred_at: datetime
    requested_at: datetime | None
    completed_at: datetime | None
    email: str | None
    account_ref: str | None


def _invalid(claim: str, message: str) -> InvalidInput:
    return InvalidInput.on(f"{FIELD}.{claim}" if claim else FIELD, message)


def _moment(claims: dict[str, Any], name: str, required: bool = False) -> datetime | None:
    """A time claim as a NumericDate (seconds since 1970) or an ISO 8601 text with zone."""
    value = claims.get(name)
    if value is None:
        if required:
            raise _invalid(name, Message("This claim is required."))
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return moment.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise _invalid(name, Message("Give a time in ISO 8601 with its time zone."))


def _text_claim(claims: dict[str, Any], name: str, limit: int = 254) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(
            name, Message("This claim must be a text of at most %(max)s characters.", max=limit)
        )
    return value


async def _claims(municipality: Municipality, token: str) -> Claims:
    if not token or len(token) > VISIT_MAX:
        raise _invalid("", Message("Send the signed visit as a compact JWT."))
    try:
        raw = await portal_tokens.verify(
            token,
            municipality.id,
            issuer=municipality.slug,
            audience=AUDIENCE,
            claims=("service_type", "occurred_at"),
            require_kid=True,
        )
    except portal_tokens.Malformed as exc:
        raise _invalid("", str(exc)) from None
    except portal_tokens.Untrusted as exc:
        raise NotAuthenticated(str(exc), [FieldError(FIELD, str(exc))]) from None
    code = _text_claim(raw, "service_type", rules.CODE_MAX) or ""
    service_type = await ServiceType.get_or_none(
        municipality_id=municipality.id, code=code, retired_at=None
    )
    if service_type is None:
        raise _invalid(
            "service_type", Message("This service is not in the municipality's catalogue.")
        )
    district = None
    if slug := _text_claim(raw, "district", 64):
        district = await district_by_slug(municipality.id, slug)
        if district is None:
            raise _invalid("district", Message("This district is not one of the municipality's."))
    occurred_at = _moment(raw, "occurred_at", required=True)
    assert occurred_at is not None
    requested_at, completed_at = _moment(raw, "requested_at"), _moment(raw, "completed_at")
    if requested_at and completed_at and completed_at < requested_at:
        raise _invalid("completed_at", Message("A service is completed after it was requested."))
    email, account_ref = _text_claim(raw, "email"), _text_claim(raw, "account_ref", 32)
    if email is None and account_ref is None:
        raise _invalid("email", Message("Name the person by email or account_ref."))
    if email is not None:
        try:
            email = normalise_email(email)
        except InvalidInput:
            raise _invalid("email", Message("This is not a valid email address.")) from None
    return Claims(
        raw["jti"],
        service_type,
        district,
        occurred_at,
        requested_at,
        completed_at,
        email,
        account_ref,
    )


async def _person(claims: Claims) -> User | None:
    if claims.account_ref is not None:
        return await User.get_or_none(account_ref=claims.account_ref)
    return await User.get_or_none(email=claims.email)


async def _outcome(
    conn: Any, municipality: Municipality, user: User | None, claims: Claims
) -> tuple[Outcome, matching.Match | None]:
    if user is None:
        return Outcome.UNKNOWN_PERSON, None
    if not await has_consent(user.id, SERVICE_VISIT_INVITATIONS):
        return Outcome.NO_CONSENT, None
    # The person's row is the lock: two visits at once see each other's invitation.
    await User.filter(id=user.id).select_for_update().using_db(conn).first()
    last = (
        await Invitation.filter(user_id=user.id, municipality_id=municipality.id)
        .using_db(conn)
        .order_by("-sent_at")
        .first()
    )
    if rules.capped(
        last.sent_at if last else None, clock.now(), await offer.cap_days(municipality.id)
    ):
        return Outcome.CAPPED, None
    rule = await InvitationRule.get_or_none(service_type_id=claims.service_type.id)
    if rule is None:
        return Outcome.NOTHING_OPEN, None
    wanted = matching.Wanted(
        municipality.id,
        tuple(rule.topics),
        claims.district.id if claims.district and rule.own_district else None,
    )
    found = await matching.best_match(wanted, user.id)
    return (Outcome.INVITED, found) if found else (Outcome.NOTHING_OPEN, None)


async def record_visit(slug: str, token: str) -> Outcome:
    """Store the portal's signed visit and invite the person if she consented, was not
    invited lately and something relevant she has not joined is open.

    Raises NotFound (municipality), NotAuthenticated (`visit`: no active key of this
    municipality signed it, another audience or issuer, expired, issued in the future or
    too long-lived), InvalidInput (`visit` malformed, `visit.service_type`,
    `visit.district`, `visit.occurred_at`…) and Conflict (this visit id was sent before).
    """
    municipality = await offer.municipality_here(slug)
    try:
        claims = await _claims(municipality, token)
    except (InvalidInput, NotAuthenticated) as exc:
        log.info("service visit to %s refused: %s", slug, exc.detail)
        raise
    user = await _person(claims)
    try:
        async with unit.atomic() as u:
            outcome, found = await _outcome(u.conn, municipality, user, claims)
            visit = await ServiceVisit.create(
                municipality_id=municipality.id,
                jti=claims.jti,
                service_type_id=claims.service_type.id,
                district_id=claims.district.id if claims.district else None,
                user_id=user.id if user else None,
                outcome=outcome,
                occurred_at=claims.occurred_at,
                requested_at=claims.requested_at,
                completed_at=claims.completed_at,
                using_db=u.conn,
            )
            await u.record(
                "visits:visit:recorded",
                "service_visit",
                visit.id,
                municipality_id=municipality.id,
                visit_id=visit.id,
                service_type=claims.service_type.code,
            )
            if found is not None and user is not None:
                invitation = await Invitation.create(
                    visit_id=visit.id,
                    municipality_id=municipality.id,
                    user_id=user.id,
                    token=secrets.token_urlsafe(24),
                    target=found.target,
                    target_id=found.target_id,
                    target_path=found.path,
                    sent_at=clock.now(),
                    using_db=u.conn,
                )
                await u.record(
                    "visits:invitation:sent",
                    "invitation",
                    invitation.id,
                    municipality_id=municipality.id,
                    invitation_id=invitation.id,
                    user_id=user.id,
                )
    except IntegrityError:
        log.info("service visit to %s refused: visit id %r sent before", slug, claims.jti)
        raise Conflict(Message("This visit was already reported.")) from None
    return outcome


async def _invitation(token: str) -> Invitation:
    invitation = await Invitation.get_or_none(token=token) if 0 < len(token) <= 64 else None
    if invitation is None:
        raise NotFound(Message("This invitation does not exist."))
    return invitation


async def open_invitation(token: str) -> str:
    """The invited person followed the link: note it the first time, and lead her on.
    Raises NotFound."""
    invitation = await _invitation(token)
    if invitation.opened_at is None:
        await Invitation.filter(id=invitation.id, opened_at=None).update(opened_at=clock.now())
    return invitation.target_path


@dataclass(frozen=True)
class Feedback:
    invitation: Invitation
    service: ServiceType
    # False when this call found a score already given: the first one counts.
    recorded: bool


async def feedback(token: str) -> Feedback:
    invitation = await _invitation(token)
    visit = await ServiceVisit.get(id=invitation.visit_id).prefetch_related("service_type")
    return Feedback(invitation, visit.service_type, False)


async def give_satisfaction(token: str, score: int) -> Feedback:
    """Record her score of the service, once: a second score changes nothing.

    Raises NotFound and InvalidInput (`score`, 1 to 5).
    """
    if score not in rules.SCORES:
        raise InvalidInput.on("score", Message("Give a score from 1 to 5."))
    found = await feedback(token)
    async with unit.atomic() as u:
        recorded = await (
            Invitation.filter(id=found.invitation.id, score=None)
            .using_db(u.conn)
            .update(score=score, scored_at=clock.now())
        )
        if recorded:
            await u.record(
                "visits:satisfaction:given",
                "invitation",
                found.invitation.id,
                municipality_id=found.invitation.municipality_id,
                invitation_id=found.invitation.id,
                service_type=found.service.code,
                score=score,
            )
    return Feedback(await Invitation.get(id=found.invitation.id), found.service, bool(recorded))


async def comment_on_service(token: str, comment: str) -> Feedback:
    """Add words to her score, once, after the score.

    Raises NotFound, Conflict (no score yet, or a comment already given) and InvalidInput
    (`comment`: empty or over the limit).
    """
    found = await feedback(token)
    body = (comment or "").strip()
    if not body or len(body) > rules.COMMENT_MAX:
        message = Message("Write 1 to %(max)s characters.", max=rules.COMMENT_MAX)
        raise InvalidInput.on("comment", message)
    if found.invitation.score is None:
        raise Conflict(Message("Choose a score first."))
    html = await text.render(body, "comment")
    updated = await Invitation.filter(id=found.invitation.id, comment="").update(
        comment=body, comment_html=html
    )
    if not updated:
        raise Conflict(Message("You already added a comment."))
    return Feedback(await Invitation.get(id=found.invitation.id), found.service, True)
