"""Granting and revoking roles in a municipality, each change written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from participation import unit
from participation.accounts.authorization.actions import MANAGE_ROLES, VIEW_AUDIT_LOG
from participation.accounts.identity.commands import normalise_email
from participation.accounts.models import Membership, RoleChange, User
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import Action, Role, require


@dataclass(frozen=True)
class Member:
    user_id: int
    email: str
    display_name: str
    role: Role
    since: datetime


@dataclass(frozen=True)
class AuditEntry:
    role: Role
    granted: bool
    subject: str | None
    changed_by: str | None
    at: datetime


async def _municipality(actor: Actor | None, slug: str, action: Action) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, action, await place_of(municipality.id))
    return municipality


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput.on(
            "role",
            Message(
                "Unknown role %(role)r; choose one of %(allowed)s.", role=value, allowed=allowed
            ),
        ) from None


async def grant_role(actor: Actor | None, slug: str, email: str, role: str) -> tuple[Member, bool]:
    """Give the person with `email` a role here; returns the member and whether it is new.

    Raises NotFound (municipality), PermissionDenied (not an admin here) and
    InvalidInput (`email` of nobody registered, unknown `role`).
    """
    municipality = await _municipality(actor, slug, MANAGE_ROLES)
    assert actor is not None
    wanted = _role(role)
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise InvalidInput.on(
            "email", Message("Nobody has an account with this email address yet.")
        )
    async with unit.atomic() as u:
        membership, created = await Membership.get_or_create(
            user_id=user.id, municipality_id=municipality.id, role=wanted, using_db=u.conn
        )
        if created:
            await RoleChange.create(
                municipality_id=municipality.id,
                subject_id=user.id,
                changed_by_id=actor.user_id,
                role=wanted,
                granted=True,
                using_db=u.conn,
            )
            await _record(u, "accounts:role:granted", municipality, user.id, wanted, actor)
    member = Member(user.id, user.email, user.display_name, wanted, membership.created_at)
    return member, created


async def revoke_role(actor: Actor | None, slug: str, user_id: int, role: str) -> None:
    """Take a role away. The last admin of a municipality cannot be removed (no lock-out).

    Raises NotFound (municipality or membership), PermissionDenied and Conflict.
    """
    municipality = await _municipality(actor, slug, MANAGE_ROLES)
    assert actor is not None
    wanted = _role(role)
    async with unit.atomic() as u:
        if wanted == Role.ADMIN:
            # Rows, not values_list(): Tortoise drops FOR UPDATE from a values query.
            admins = (
                await Membership.filter(municipality_id=municipality.id, role=Role.ADMIN)
                .using_db(u.conn)
                .select_for_update()
                .only("id", "user_id")
            )
            if [admin.user_id for admin in admins] == [user_id]:
                raise Conflict(Message("A municipality keeps at least one administrator."))
        deleted = (
            await Membership.filter(user_id=user_id, municipality_id=municipality.id, role=wanted)
            .using_db(u.conn)
            .delete()
        )
        if not deleted:
            raise NotFound(Message("This person does not have this role here."))
        await RoleChange.create(
            municipality_id=municipality.id,
            subject_id=user_id,
            changed_by_id=actor.user_id,
            role=wanted,
            granted=False,
            using_db=u.conn,
        )
        await _record(u, "accounts:role:revoked", municipality, user_id, wanted, actor)


async def _record(
    u: unit.Unit, name: str, municipality: Municipality, user_id: int, role: Role, actor: Actor
) -> None:
    """A role event: about the member's account, in the municipality, by the administrator."""
    await u.record(
        name,
        "user",
        user_id,
        municipality_id=municipality.id,
        actor_id=actor.user_id,
        user_id=user_id,
        role=role.value,
    )


async def list_members(actor: Actor | None, slug: str) -> list[Member]:
    """Everyone holding a role here, for the municipality's administrators."""
    municipality = await _municipality(actor, slug, MANAGE_ROLES)
    rows = (
        await Membership.filter(municipality_id=municipality.id)
        .order_by("role", "user__display_name", "id")
        .values_list("user_id", "user__email", "user__display_name", "role", "created_at")
    )
    return [Member(u, e, n, Role(r), at) for u, e, n, r, at in rows]


SEARCH_MAX = 100


async def find_members(
    actor: Actor | None, slug: str, q: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[Member], bool]:
    """A page of the people holding a role here, by name, whose display name or email holds
    `q` (any case); and whether more follow. For the municipality's administrators."""
    municipality = await _municipality(actor, slug, MANAGE_ROLES)
    query = Membership.filter(municipality_id=municipality.id)
    text = " ".join((q or "").split())[:SEARCH_MAX]
    if text:
        query = query.filter(Q(user__display_name__icontains=text) | Q(user__email__icontains=text))
    rows = (
        await query.order_by("user__display_name", "user_id", "role")
        .offset(max(offset, 0))
        .limit(limit + 1)
        .values_list("user_id", "user__email", "user__display_name", "role", "created_at")
    )
    members = [Member(u, e, n, Role(r), at) for u, e, n, r, at in rows[:limit]]
    return members, len(rows) > limit


async def audit_log(actor: Actor | None, slug: str, limit: int = 200) -> list[AuditEntry]:
    """Role changes here, newest first, with who made them."""
    municipality = await _municipality(actor, slug, VIEW_AUDIT_LOG)
    changes = (
        await RoleChange.filter(municipality_id=municipality.id)
        .order_by("-created_at", "-id")
        .limit(limit)
        .prefetch_related("subject", "changed_by")
    )
    return [
        AuditEntry(
            Role(c.role),
            c.granted,
            c.subject.display_name if c.subject else None,
            c.changed_by.display_name if c.changed_by else None,
            c.created_at,
        )
        for c in changes
    ]
