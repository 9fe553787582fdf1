"""Administrators invite people by email to a role here, before their first sign-in.

An address with an account gets the role at once (roles.grant_role). Otherwise the role
waits on the address (a PendingRole) until it signs in for the first time
(pending.apply_pending_roles); until then administrators see it and may withdraw it.
The invited person is told by email; the web layer sends it, as it sends sign-in links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from participation import clock, unit
from participation.accounts.authorization import roles
from participation.accounts.authorization.actions import MANAGE_ROLES
from participation.accounts.identity.commands import normalise_email
from participation.accounts.models import Membership, PendingRole, RoleChange, User
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.actions import CREATE_MUNICIPALITY
from participation.municipalities.founding import create_municipality
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import DEPLOYMENT, Role, require

# Citizens need no invitation: anyone may sign up.
INVITABLE = (Role.COUNCIL, Role.MODERATOR, Role.ADMIN)


@dataclass(frozen=True)
class Invitation:
    """A role waiting on an address, or (`pending` False) one granted at once."""

    id: int | None
    email: str
    role: Role
    invited_by: str | None
    created_at: datetime
    pending: bool = True


def _view(row: PendingRole, invited_by: str | None) -> Invitation:
    return Invitation(row.id, row.email, Role(row.role), invited_by, row.created_at)


def _invitable(value: str) -> Role:
    role = roles._role(value)
    if role not in INVITABLE:
        allowed = ", ".join(r.value for r in INVITABLE)
        raise InvalidInput.on(
            "role", Message("Invite to one of the roles %(allowed)s.", allowed=allowed)
        )
    return role


async def _here(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, MANAGE_ROLES, await place_of(municipality.id))
    return municipality


async def invite(actor: Actor | None, slug: str, email: str, role: str) -> Invitation:
    """Give `email` a role here: at once if the address has an account, else on its
    first sign-in. Inviting the same address to the same role again changes nothing.

    Raises NotFound (municipality), NotAuthenticated, PermissionDenied (not an
    administrator here) and InvalidInput naming `email` or `role`.
    """
    municipality = await _here(actor, slug)
    assert actor is not None
    problems: list[InvalidInput] = []
    address = wanted = None
    try:
        address = normalise_email(email)
    except InvalidInput as exc:
        problems.append(exc)
    try:
        wanted = _invitable(role)
    except InvalidInput as exc:
        problems.append(exc)
    if problems:
        raise InvalidInput(
            Message("The invitation is invalid."), [e for p in problems for e in p.errors]
        )
    assert address is not None and wanted is not None
    # An address typed on the sign-in page makes an unproven row: the role waits for its
    # owner to prove it, and the invitation email goes out, as for no account at all.
    if await User.filter(email=address, email_verified=True).exists():
        member, _ = await roles.grant_role(actor, slug, address, wanted.value)
        return Invitation(None, address, wanted, actor.display_name, member.since, pending=False)
    return await _wait(actor, municipality, address, wanted)


async def _wait(actor: Actor, municipality: Municipality, address: str, role: Role) -> Invitation:
    async with unit.atomic() as u:
        # Two administrators inviting the same address at once: the municipality's row,
        # locked, lets the second find the first's invitation instead of adding its own.
        await Municipality.filter(id=municipality.id).select_for_update().using_db(u.conn).first()
        open_one = (
            await PendingRole.filter(
                municipality_id=municipality.id,
                email=address,
                role=role,
                accepted_at=None,
                withdrawn_at=None,
            )
            .using_db(u.conn)
            .first()
        )
        if open_one is not None:
            return _view(open_one, None)
        row = await PendingRole.create(
            municipality_id=municipality.id,
            email=address,
            role=role,
            invited_by_id=actor.user_id,
            using_db=u.conn,
        )
        await u.record(
            "accounts:pending_role:invited",
            "pending_role",
            row.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id,
            pending_role_id=row.id,
            role=role.value,
        )
    return _view(row, actor.display_name)


async def list_invitations(actor: Actor | None, slug: str) -> list[Invitation]:
    """The roles still waiting on an address here, newest first."""
    municipality = await _here(actor, slug)
    rows = (
        await PendingRole.filter(
            municipality_id=municipality.id, accepted_at=None, withdrawn_at=None
        )
        .order_by("-created_at", "-id")
        .prefetch_related("invited_by")
    )
    return [_view(r, r.invited_by.display_name if r.invited_by else None) for r in rows]


async def withdraw_invitation(actor: Actor | None, slug: str, invitation_id: int | str) -> None:
    """Take back a role that still waits on its address.

    Raises NotFound (municipality, or no such open invitation here), NotAuthenticated and
    PermissionDenied.
    """
    municipality = await _here(actor, slug)
    assert actor is not None
    wanted = parse_id(str(invitation_id))
    gone = NotFound(Message("There is no such open invitation here."))
    if wanted is None:
        raise gone
    async with unit.atomic() as u:
        row = await PendingRole.get_or_none(
            id=wanted, municipality_id=municipality.id, using_db=u.conn
        )
        if row is None:
            raise gone
        withdrawn = (
            await PendingRole.filter(id=row.id, accepted_at=None, withdrawn_at=None)
            .using_db(u.conn)
            .update(withdrawn_at=clock.now())
        )
        if not withdrawn:
            raise gone
        await u.record(
            "accounts:pending_role:withdrawn",
            "pending_role",
            row.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id,
            pending_role_id=row.id,
            role=Role(row.role).value,
        )


async def appoint_first_administrator(actor: Actor | None, slug: str, email: str) -> Invitation:
    """The operator names a new municipality's first administrator (at once, or pending).

    Raises NotAuthenticated, PermissionDenied (not an operator), NotFound and InvalidInput
    on `admin_email`, the founding's own name for the address.
    """
    require(actor, CREATE_MUNICIPALITY, DEPLOYMENT)
    assert actor is not None
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    try:
        address = normalise_email(email)
    except InvalidInput as exc:
        raise InvalidInput.on("admin_email", exc.errors[0].message) from None
    user = await User.get_or_none(email=address)
    if user is None:
        return await _wait(actor, municipality, address, Role.ADMIN)
    async with unit.atomic() as u:
        membership, created = await Membership.get_or_create(
            user_id=user.id, municipality_id=municipality.id, role=Role.ADMIN, using_db=u.conn
        )
        if created:
            await RoleChange.create(
                municipality_id=municipality.id,
                subject_id=user.id,
                changed_by_id=actor.user_id,
                role=Role.ADMIN,
                granted=True,
                using_db=u.conn,
            )
            await roles._record(
                u, "accounts:role:granted", municipality, user.id, Role.ADMIN, actor
            )
    return Invitation(
        None, address, Role.ADMIN, actor.display_name, membership.created_at, pending=False
    )


async def found_with_administrator(
    actor: Actor | None,
    slug: str,
    name: str,
    state: str,
    official_key: str,
    extra: Mapping[str, Any] | None,
    admin_email: str | None,
) -> tuple[Municipality, Invitation | None]:
    """Found a municipality and name its first administrator, in one unit of work: every
    bad field, `admin_email` among them, is named at once, and nothing is stored then.

    Raises what create_municipality and appoint_first_administrator raise.
    """
    wrong_admin = None
    if admin_email is not None:
        try:
            normalise_email(admin_email)
        except InvalidInput as exc:
            wrong_admin = FieldError("admin_email", exc.errors[0].message)
    async with unit.atomic():
        try:
            municipality = await create_municipality(actor, slug, name, state, official_key, extra)
        except InvalidInput as exc:
            if wrong_admin is not None:
                exc.errors = [*exc.errors, wrong_admin]
            raise
        if wrong_admin is not None:
            raise InvalidInput(wrong_admin.message, [wrong_admin])
        if admin_email is None:
            return municipality, None
        return municipality, await appoint_first_administrator(
            actor, municipality.slug, admin_email
        )
