"""A person's rights over her data: a copy of everything held about her, and erasure.

Other areas hold personal data too (mandates launched, signatures, votes taken part in).
Every area, this one included, declares its export sections and erasers in its
`area.py`; participation.privacy collects them, so this module reads no other area's
tables.

Deletion keeps what the public already counts: foreign keys to the account from
signatures, mandates, timeline entries and the role audit log are SET NULL, so a
signature stays as an anonymous row and the sharded counts (resident ones included)
and every quorum stay exactly as they were. Everything else about the person cascades.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock, unit
from participation import privacy as registry
from participation.accounts.identity import consent
from participation.accounts.models import (
    Membership,
    Passkey,
    PendingRole,
    Residency,
    RoleChange,
    SecurityEvent,
    Session,
    SignInToken,
    User,
)
from participation.accounts.residency import declarations
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotAuthenticated
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.permissions import Role


async def profile(user_id: int) -> dict[str, Any]:
    user = await User.get(id=user_id)
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "email_verified": user.email_verified,
        "suspended_at": user.suspended_at,
        "created_at": user.created_at,
    }


async def roles(user_id: int) -> list[dict[str, Any]]:
    return [
        {"municipality": slug, "role": role, "since": since}
        for slug, role, since in await Membership.filter(user_id=user_id)
        .order_by("id")
        .values_list("municipality__slug", "role", "created_at")
    ]


async def role_changes(user_id: int) -> list[dict[str, Any]]:
    return [
        {"municipality": slug, "role": role, "granted": granted, "at": at}
        for slug, role, granted, at in await RoleChange.filter(subject_id=user_id)
        .order_by("id")
        .values_list("municipality__slug", "role", "granted", "created_at")
    ]


async def role_changes_made(user_id: int) -> list[dict[str, Any]]:
    """Who the changes were for is someone else's data; that she made them is hers."""
    return [
        {"municipality": slug, "role": role, "granted": granted, "at": at}
        for slug, role, granted, at in await RoleChange.filter(changed_by_id=user_id)
        .order_by("id")
        .values_list("municipality__slug", "role", "granted", "created_at")
    ]


async def residencies(user_id: int) -> list[dict[str, Any]]:
    return [
        {"municipality": slug, "district": district, "source": source, "verified_at": at}
        for slug, district, source, at in await Residency.filter(user_id=user_id)
        .order_by("id")
        .values_list("municipality__slug", "district__slug", "source", "verified_at")
    ]


async def residence(user_id: int) -> dict[str, Any] | None:
    declared = await declarations.residence_of(user_id)
    if declared is None:
        return None
    return {
        "municipality": declared.municipality,
        "district": declared.district,
        "source": declared.source,
        "declared_at": declared.declared_at,
    }


async def residence_changes(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "from_municipality": move.from_municipality,
            "from_district": move.from_district,
            "to_municipality": move.to_municipality,
            "to_district": move.to_district,
            "source": move.source,
            "at": move.at,
        }
        for move in await declarations.residence_history(user_id)
    ]


async def sessions(user_id: int) -> list[dict[str, Any]]:
    """Never a secret: no session or token hashes."""
    return [
        {
            "kind": s.kind,
            "device": s.device,
            "created_at": s.created_at,
            "last_used_at": s.last_used_at,
            "expires_at": s.expires_at,
            "revoked_at": s.revoked_at,
        }
        for s in await Session.filter(user_id=user_id).order_by("id")
    ]


async def passkeys(user_id: int) -> list[dict[str, Any]]:
    """A passkey's public key and credential id are the authenticator's own material,
    of no use to read and best not spread in files people pass on."""
    return [
        {
            "name": p.name,
            "created_at": p.created_at,
            "last_used_at": p.last_used_at,
            "backed_up": p.backed_up,
            "transports": p.transports,
        }
        for p in await Passkey.filter(user_id=user_id).order_by("id")
    ]


async def consents(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "topic": c.topic,
            "granted": c.granted,
            "wording_version": c.wording_version,
            "wording": _wording(c.topic, c.wording_version),
            "at": c.created_at,
        }
        for c in await consent.consent_history(user_id)
    ]


async def security_events(user_id: int) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "data": e.data, "at": e.created_at}
        for e in await SecurityEvent.filter(user_id=user_id).order_by("id")
    ]


async def sign_in_links(user_id: int) -> list[dict[str, Any]]:
    return [
        {"requested_at": created, "expires_at": expires, "used_at": used}
        for created, expires, used in await SignInToken.filter(user_id=user_id)
        .order_by("id")
        .values_list("created_at", "expires_at", "used_at")
    ]


async def invitations(user_id: int) -> list[dict[str, Any]]:
    """Roles an administrator gave her address before she had an account."""
    return [
        {"municipality": slug, "role": role, "invited_at": at, "accepted_at": accepted}
        for slug, role, at, accepted in await PendingRole.filter(user_id=user_id)
        .order_by("id")
        .values_list("municipality__slug", "role", "created_at", "accepted_at")
    ]


async def erase_invitations(conn: BaseDBAsyncClient, user: User) -> None:
    """Invitations keep the address they were sent to: they go with the account."""
    await PendingRole.filter(email=user.email).using_db(conn).delete()
    await PendingRole.filter(user_id=user.id).using_db(conn).delete()


# The accounts area's own sections, first in every export.
EXPORTERS = {
    "profile": profile,
    "roles": roles,
    "role_changes": role_changes,
    "role_changes_made": role_changes_made,
    "residencies": residencies,
    "residence": residence,
    "residence_changes": residence_changes,
    "sessions": sessions,
    "passkeys": passkeys,
    "consents": consents,
    "security_events": security_events,
    "sign_in_links": sign_in_links,
    "invitations": invitations,
}
ERASERS = {"accounts:invitations": erase_invitations}


def _wording(topic: str, version: str) -> str | None:
    known = consent.TOPICS.get(topic)
    if known is None or version not in known.wordings:
        return None
    return known.wording(consent.DEFAULT_LANGUAGE, version)


async def export_account(actor: Actor | None) -> dict[str, Any]:
    """Everything the platform holds about the actor, as one JSON-serialisable document.

    Sections: the account's own (profile, roles, residencies, declared residence and its
    changes, sessions, passkeys,
    consents with their wording, security events, sign-in links) and one per registered
    exporter (mandates, signatures, timeline entries, …). Raises NotAuthenticated.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    user = await User.get_or_none(id=actor.user_id)
    if user is None:
        raise NotAuthenticated(Message("This account no longer exists."))
    return await registry.export(user.id, clock.now())


async def _keep_an_administrator(conn: BaseDBAsyncClient, user_id: int) -> None:
    """As when revoking roles: no municipality may be left without an administrator."""
    municipality_ids = (
        await Membership.filter(user_id=user_id, role=Role.ADMIN)
        .using_db(conn)
        .values_list("municipality_id", flat=True)
    )
    for municipality_id in municipality_ids:
        # Rows, not values_list(): Tortoise drops FOR UPDATE from a values query.
        admins = (
            await Membership.filter(municipality_id=municipality_id, role=Role.ADMIN)
            .using_db(conn)
            .select_for_update()
            .only("id", "user_id")
        )
        if [admin.user_id for admin in admins] == [user_id]:
            municipality = await Municipality.get(id=municipality_id, using_db=conn)
            raise Conflict(
                Message(
                    "You are the only administrator of %(municipality)s. "
                    "Make someone else an administrator there first.",
                    municipality=municipality.name,
                ),
                municipality=municipality.slug,
            )


async def _record_roles_ending(conn: BaseDBAsyncClient, user_id: int) -> None:
    """The audit log keeps that a role ended; who held it goes with the account (SET NULL)."""
    memberships = await Membership.filter(user_id=user_id).using_db(conn).order_by("id")
    for membership in memberships:
        await RoleChange.create(
            municipality_id=membership.municipality_id,
            subject_id=user_id,
            changed_by_id=user_id,
            role=membership.role,
            granted=False,
            using_db=conn,
        )


async def delete_account(actor: Actor | None, confirm_email: str) -> None:
    """Erase the actor's account and personal data; what the public counted stays counted.

    `confirm_email` must be the account's address. In one transaction: the erasers run
    (her drafts go, for instance), the account row is deleted (sessions, passkeys,
    challenges, memberships, residencies, the declared residence and its changes, consents,
    security events and sign-in links
    cascade; signatures, public mandates, timeline entries and role audit entries lose
    the link to her), and `accounts:user:deleted` is recorded. Her access tokens stop
    working at once, because every request loads the account. Raises NotAuthenticated,
    InvalidInput naming `confirm_email` when it does not match, and Conflict when she is
    the only administrator of a municipality; then nothing changes.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    user = await User.get_or_none(id=actor.user_id)
    if user is None:
        raise NotAuthenticated(Message("This account no longer exists."))
    if " ".join((confirm_email or "").split()).lower() != user.email:
        raise InvalidInput.on(
            "confirm_email",
            Message("Type the email address of this account to confirm the deletion."),
        )
    async with unit.atomic() as u:
        await _keep_an_administrator(u.conn, user.id)
        await _record_roles_ending(u.conn, user.id)
        await registry.erase(u.conn, user)
        await User.filter(id=user.id).using_db(u.conn).delete()
        # The id names nothing any more; consumers use it to drop what they keyed by it.
        await u.record(
            "accounts:user:deleted", "user", user.id, municipality_id=None, user_id=user.id
        )
