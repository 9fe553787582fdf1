"""Proving residence: by a municipal service portal's signed attestation, or an administrator.

A portal registers its public key with us once. Afterwards it signs short JWTs
(EdDSA with Ed25519, or ES256) saying "this email address belongs to a resident of
this municipality (and district)". We keep only public keys and the ids of attestations
already used, so nothing stored here can mint an attestation or replay one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from participation import clock, single_line, unit
from participation.accounts import portal_tokens
from participation.accounts.authorization.actions import VERIFY_RESIDENT
from participation.accounts.identity.commands import normalise_email
from participation.accounts.models import (
    PortalKey,
    ResidenceSource,
    Residency,
    UsedAttestation,
    User,
)
from participation.accounts.residency import declarations
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import district_by_slug, municipality_by_slug, place_of
from participation.permissions import require

AUDIENCE = "auftrag:residency"
ATTESTATION_MAX = 4096
KEY_NAME_MAX = 80
PORTAL = "portal"
ADMIN = "admin"


@dataclass(frozen=True)
class Resident:
    user_id: int
    municipality: str
    district: str | None
    source: str
    verified_at: datetime


async def _admin_here(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, VERIFY_RESIDENT, await place_of(municipality.id))
    return municipality


async def _district(municipality: Municipality, slug: str | None, field: str) -> District | None:
    if not slug:
        return None
    district = await district_by_slug(municipality.id, slug)
    if district is None:
        raise InvalidInput.on(
            field,
            Message(
                "Unknown district %(slug)r in %(municipality)s.",
                slug=slug,
                municipality=municipality.name,
            ),
        )
    return district


async def _record(
    user: User,
    municipality: Municipality,
    district: District | None,
    source: str,
    attestation: tuple[str, datetime] | None = None,
    actor: Actor | None = None,
) -> Resident:
    """Write the residence, and claim the attestation's id in the same transaction.

    The proof also moves the person's declaration to the place it names.
    """
    now = clock.now()
    async with unit.atomic() as u:
        if attestation is not None:
            jti, expires = attestation
            try:
                await UsedAttestation.create(jti=jti, expires_at=expires, using_db=u.conn)
            except IntegrityError:
                raise Conflict(Message("This attestation was already used.")) from None
        updated = (
            await Residency.filter(user_id=user.id, municipality_id=municipality.id)
            .using_db(u.conn)
            .update(district_id=district.id if district else None, source=source, verified_at=now)
        )
        if not updated:
            await Residency.create(
                user_id=user.id,
                municipality_id=municipality.id,
                district_id=district.id if district else None,
                source=source,
                verified_at=now,
                using_db=u.conn,
            )
        await declarations.move_residence(
            u.conn,
            user.id,
            municipality.id,
            district.id if district else None,
            ResidenceSource(source),
            keep_district=True,
        )
        await u.record(
            "accounts:residency:verified",
            "user",
            user.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            user_id=user.id,
            source=source,
        )
    return Resident(user.id, municipality.slug, district.slug if district else None, source, now)


async def verify_resident(
    actor: Actor | None, slug: str, email: str, district: str | None = None
) -> Resident:
    """An administrator confirms residence (say, after seeing the registration certificate).

    Raises NotFound, PermissionDenied and InvalidInput (`email` of nobody, `district`).
    """
    municipality = await _admin_here(actor, slug)
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise InvalidInput.on(
            "email", Message("Nobody has an account with this email address yet.")
        )
    district_row = await _district(municipality, district, "district")
    return await _record(user, municipality, district_row, ADMIN, actor=actor)


async def revoke_residency(actor: Actor | None, slug: str, user_id: int) -> None:
    """Withdraw a residence proof, for example after someone moved away."""
    municipality = await _admin_here(actor, slug)
    deleted = await Residency.filter(user_id=user_id, municipality_id=municipality.id).delete()
    if not deleted:
        raise NotFound(Message("This person is not verified as resident here."))


async def add_portal_key(actor: Actor | None, slug: str, name: str, public_key: str) -> PortalKey:
    """Register a service portal's public key. Raises InvalidInput for a bad key or name."""
    municipality = await _admin_here(actor, slug)
    single_line.check("name", name or "")
    name = " ".join((name or "").split())
    if not name or len(name) > KEY_NAME_MAX:
        message = Message("Give the key a name of 1 to %(max)s characters.", max=KEY_NAME_MAX)
        raise InvalidInput.on("name", message)
    portal_tokens.public_key(public_key)
    return await PortalKey.create(
        municipality_id=municipality.id, name=name, public_key=public_key.strip()
    )


async def list_portal_keys(actor: Actor | None, slug: str) -> list[PortalKey]:
    municipality = await _admin_here(actor, slug)
    return await PortalKey.filter(municipality_id=municipality.id).order_by("id").all()


async def revoke_portal_key(actor: Actor | None, slug: str, key_id: int) -> None:
    """Attestations signed with a revoked key are refused from now on."""
    municipality = await _admin_here(actor, slug)
    revoked = await PortalKey.filter(
        id=key_id, municipality_id=municipality.id, revoked_at=None
    ).update(revoked_at=clock.now())
    if not revoked:
        raise NotFound(Message("There is no such active key."))


def _invalid(message: str) -> InvalidInput:
    return InvalidInput.on("attestation", message)


async def attest_residency(slug: str, attestation: str) -> Resident:
    """Accept a portal's signed attestation and record the residence it states.

    Raises NotFound (municipality), InvalidInput (`attestation`: malformed, signed by no
    active key of this municipality, expired, too long-lived, naming nobody or an unknown
    district) and Conflict (this attestation was already used).
    """
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    if not attestation or len(attestation) > ATTESTATION_MAX:
        raise _invalid(Message("Send the signed attestation as a compact JWT."))
    try:
        claims = await portal_tokens.verify(
            attestation,
            municipality.id,
            issuer=municipality.slug,
            audience=AUDIENCE,
            claims=("email",),
        )
    except (portal_tokens.Malformed, portal_tokens.Untrusted) as exc:
        raise _invalid(str(exc)) from None
    jti = claims["jti"]
    expires = portal_tokens.expires(claims)
    try:
        email = normalise_email(str(claims["email"]))
    except InvalidInput:
        raise _invalid(Message("The attestation's email is not a valid address.")) from None
    user = await User.get_or_none(email=email)
    if user is None:
        raise _invalid(Message("Nobody has an account with this email address yet."))
    district = await _district(municipality, claims.get("district"), "attestation")
    await UsedAttestation.filter(expires_at__lt=clock.now()).delete()
    return await _record(user, municipality, district, PORTAL, (jti, expires))
