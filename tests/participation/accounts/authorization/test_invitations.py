"""Roles given to an address before its first sign-in, and the deployment's operators."""

from __future__ import annotations

import pytest

from participation.accounts.authorization import invitations
from participation.accounts.authorization.actors import load_actor
from participation.accounts.authorization.operators import grant_operator, revoke_operator
from participation.accounts.identity.commands import (
    ensure_user,
    redeem_sign_in_link,
    request_sign_in_link,
)
from participation.accounts.models import Membership, PendingRole, RoleChange
from participation.errors import NotFound, PermissionDenied
from participation.permissions import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_a_pending_role_applies_when_the_link_is_redeemed_not_before() -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)
    waiting = await invitations.invite(admin, "musterdorf", "Rat@Example.org", "council")
    assert waiting.pending
    user, token = await request_sign_in_link("rat@example.org")
    # Asking for a link proves nothing about the address yet.
    assert not await Membership.filter(user_id=user.id, role=Role.COUNCIL).exists()
    await redeem_sign_in_link(token)
    actor = await load_actor(user.id)
    assert actor is not None and actor.has_role(town.id, Role.COUNCIL)
    pending = await PendingRole.get(id=waiting.id)
    assert pending.accepted_at is not None and pending.user_id == user.id
    audit = await RoleChange.get(subject_id=user.id)
    assert audit.granted and audit.changed_by_id == admin.user_id and audit.role == Role.COUNCIL
    assert await invitations.list_invitations(admin, "musterdorf") == []


async def test_a_pending_role_applies_when_an_operator_creates_the_account() -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await invitations.invite(admin, "musterdorf", "mod@example.org", "moderator")
    user = await ensure_user("mod@example.org", verified=True)
    assert await Membership.filter(user_id=user.id, role=Role.MODERATOR).exists()


async def test_an_address_only_typed_on_the_sign_in_page_waits_for_its_proof() -> None:
    """Anybody can type an address on the sign-in page, with a name of their choosing: the
    row that makes proves nothing, so the role waits (and its email goes out) instead of
    going to that row at once; nor does an unverified account made by a command take it."""
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    typed, token = await request_sign_in_link("rat@example.org")
    waiting = await invitations.invite(admin, "musterdorf", "rat@example.org", "council")
    assert waiting.pending
    assert not await Membership.filter(user_id=typed.id, role=Role.COUNCIL).exists()
    await ensure_user("rat@example.org")
    assert not await Membership.filter(user_id=typed.id, role=Role.COUNCIL).exists()
    await redeem_sign_in_link(token)
    assert await Membership.filter(user_id=typed.id, role=Role.COUNCIL).exists()


async def test_a_withdrawn_invitation_grants_nothing() -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    waiting = await invitations.invite(admin, "musterdorf", "weg@example.org", "admin")
    await invitations.withdraw_invitation(admin, "musterdorf", waiting.id or 0)
    user, token = await request_sign_in_link("weg@example.org")
    await redeem_sign_in_link(token)
    assert not await Membership.filter(user_id=user.id).exists()
    with pytest.raises(NotFound):
        await invitations.withdraw_invitation(admin, "musterdorf", waiting.id or 0)


async def test_inviting_twice_keeps_one_invitation_and_others_may_not_invite() -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    council = await factories.council_member(town)
    first = await invitations.invite(admin, "musterdorf", "a@example.org", "council")
    again = await invitations.invite(admin, "musterdorf", "A@example.org", "council")
    assert first.id == again.id
    assert await PendingRole.all().count() == 1
    with pytest.raises(PermissionDenied):
        await invitations.invite(council, "musterdorf", "b@example.org", "admin")


async def test_operators_are_made_and_unmade_on_the_command_line_only() -> None:
    user = await grant_operator("Betrieb@Example.org")
    actor = await load_actor(user.id)
    assert actor is not None and actor.operator and actor.email_verified
    await revoke_operator("betrieb@example.org")
    actor = await load_actor(user.id)
    assert actor is not None and not actor.operator
    assert await revoke_operator("niemand@example.org") is None


async def test_an_accepted_invitation_is_exported_and_goes_with_the_account() -> None:
    from participation.accounts.privacy import delete_account, export_account

    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await invitations.invite(admin, "musterdorf", "kurz@example.org", "moderator")
    user, token = await request_sign_in_link("kurz@example.org")
    await redeem_sign_in_link(token)
    actor = await load_actor(user.id)
    exported = await export_account(actor)
    assert [i["role"] for i in exported["invitations"]] == ["moderator"]
    await delete_account(actor, "kurz@example.org")
    assert not await PendingRole.filter(email="kurz@example.org").exists()
