"""A person's rights over her data: a copy of everything held about her, and erasure.

Other areas hold personal data too (mandates launched, signatures, votes taken part in).
They contribute through two registries instead of this module reading their tables:
an exporter adds a section to the export, an eraser runs inside the deletion's
transaction before the account row goes. Each area registers from its own `privacy`
module, listed in CONTRIBUTORS.

Deletion keeps what the public already counts: foreign keys to the account from
signatures, mandates, timeline entries and the role audit log are SET NULL, so a
signature stays as an anonymous row and the sharded counts (resident ones included)
and every quorum stay exactly as they were. Everything else about the person cascades.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from participation import clock
from participation.accounts import consent, declarations
from participation.accounts.actors import Actor
from participation.accounts.models import (
    Membership,
    Passkey,
    Residency,
    Role,
    RoleChange,
    SecurityEvent,
    Session,
    SignInToken,
    User,
)
from participation.errors import Conflict, InvalidInput, NotAuthenticated
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.outbox import events

Exporter = Callable[[int], Awaitable[Any]]
Eraser = Callable[[BaseDBAsyncClient, User], Awaitable[None]]

EXPORT_FORMAT = "auftrag-account-export/1"

# Modules of other areas that hold personal data; importing one registers its parts.
CONTRIBUTORS = (
    "participation.mandates.privacy",
    "participation.timeline.privacy",
    "participation.votes.privacy",
    "notifications.privacy",
)

EXPORTERS: dict[str, Exporter] = {}
ERASERS: dict[str, Eraser] = {}

_ACCOUNT_SECTIONS = frozenset(
    {
        "format",
        "exported_at",
        "profile",
        "roles",
        "role_changes",
        "role_changes_made",
        "residencies",
        "residence",
        "residence_changes",
        "sessions",
        "passkeys",
        "consents",
        "security_events",
        "sign_in_links",
    }
)


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add `section` to every export: `exporter(user_id)` returns JSON-like data.

    Datetimes and enums in it are written as ISO 8601 strings and their values.
    """
    if section in _ACCOUNT_SECTIONS or section in EXPORTERS:
        raise ValueError(f"export section {section!r} is taken")
    EXPORTERS[section] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    """Run `eraser(conn, user)` in the deletion's transaction, before the account row goes.

    For data the foreign keys do not already remove or anonymise on their own.
    """
    if name in ERASERS:
        raise ValueError(f"eraser {name!r} is taken")
    ERASERS[name] = eraser


def _load_contributors() -> None:
    for module in CONTRIBUTORS:
        importlib.import_module(module)


def _plain(value: Any) -> Any:
    """JSON-ready: datetimes as ISO 8601 with offset, enums as their values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


async def _account_sections(user: User) -> dict[str, Any]:
    """The accounts area's own part. Never a secret: no session or token hashes, no keys."""
    uid = user.id
    history = await consent.consent_history(uid)
    residence = await declarations.residence_of(uid)
    return {
        "profile": {
            "id": uid,
            "email": user.email,
            "display_name": user.display_name,
            "email_verified": user.email_verified,
            "suspended_at": user.suspended_at,
            "created_at": user.created_at,
        },
        "roles": [
            {"municipality": slug, "role": role, "since": since}
            for slug, role, since in await Membership.filter(user_id=uid)
            .order_by("id")
            .values_list("municipality__slug", "role", "created_at")
        ],
        "role_changes": [
            {"municipality": slug, "role": role, "granted": granted, "at": at}
            for slug, role, granted, at in await RoleChange.filter(subject_id=uid)
            .order_by("id")
            .values_list("municipality__slug", "role", "granted", "created_at")
        ],
        # Who the changes were for is someone else's data; that she made them is hers.
        "role_changes_made": [
            {"municipality": slug, "role": role, "granted": granted, "at": at}
            for slug, role, granted, at in await RoleChange.filter(changed_by_id=uid)
            .order_by("id")
            .values_list("municipality__slug", "role", "granted", "created_at")
        ],
        "residencies": [
            {"municipality": slug, "district": district, "source": source, "verified_at": at}
            for slug, district, source, at in await Residency.filter(user_id=uid)
            .order_by("id")
            .values_list("municipality__slug", "district__slug", "source", "verified_at")
        ],
        "residence": {
            "municipality": residence.municipality,
            "district": residence.district,
            "source": residence.source,
            "declared_at": residence.declared_at,
        }
        if residence
        else None,
        "residence_changes": [
            {
                "from_municipality": move.from_municipality,
                "from_district": move.from_district,
                "to_municipality": move.to_municipality,
                "to_district": move.to_district,
                "source": move.source,
                "at": move.at,
            }
            for move in await declarations.residence_history(uid)
        ],
        "sessions": [
            {
                "kind": s.kind,
                "device": s.device,
                "created_at": s.created_at,
                "last_used_at": s.last_used_at,
                "expires_at": s.expires_at,
                "revoked_at": s.revoked_at,
            }
            for s in await Session.filter(user_id=uid).order_by("id")
        ],
        # A passkey's public key and credential id are the authenticator's own material,
        # of no use to read and best not spread in files people pass on.
        "passkeys": [
            {
                "name": p.name,
                "created_at": p.created_at,
                "last_used_at": p.last_used_at,
                "backed_up": p.backed_up,
                "transports": p.transports,
            }
            for p in await Passkey.filter(user_id=uid).order_by("id")
        ],
        "consents": [
            {
                "topic": c.topic,
                "granted": c.granted,
                "wording_version": c.wording_version,
                "wording": _wording(c.topic, c.wording_version),
                "at": c.created_at,
            }
            for c in history
        ],
        "security_events": [
            {"kind": e.kind, "data": e.data, "at": e.created_at}
            for e in await SecurityEvent.filter(user_id=uid).order_by("id")
        ],
        "sign_in_links": [
            {"requested_at": created, "expires_at": expires, "used_at": used}
            for created, expires, used in await SignInToken.filter(user_id=uid)
            .order_by("id")
            .values_list("created_at", "expires_at", "used_at")
        ],
    }


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
    _load_contributors()
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": clock.now()}
    document.update(await _account_sections(user))
    for section, exporter in EXPORTERS.items():
        document[section] = await exporter(user.id)
    return _plain(document)


async def _keep_an_administrator(conn: BaseDBAsyncClient, user_id: int) -> None:
    """As when revoking roles: no municipality may be left without an administrator."""
    municipality_ids = (
        await Membership.filter(user_id=user_id, role=Role.ADMIN)
        .using_db(conn)
        .values_list("municipality_id", flat=True)
    )
    for municipality_id in municipality_ids:
        admins = (
            await Membership.filter(municipality_id=municipality_id, role=Role.ADMIN)
            .using_db(conn)
            .select_for_update()
            .values_list("user_id", flat=True)
        )
        if list(admins) == [user_id]:
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
    _load_contributors()
    async with in_transaction() as conn:
        await _keep_an_administrator(conn, user.id)
        await _record_roles_ending(conn, user.id)
        for eraser in ERASERS.values():
            await eraser(conn, user)
        await User.filter(id=user.id).using_db(conn).delete()
        # The id names nothing any more; consumers use it to drop what they keyed by it.
        await events.append(conn, "accounts:user:deleted", user_id=user.id)
    events.nudge()
