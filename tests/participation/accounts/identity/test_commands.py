"""Sign-in by emailed link, and creating people for operators."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from participation import clock
from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.commands import (
    LINK_MINUTES,
    ensure_user,
    redeem_sign_in_link,
    request_sign_in_link,
    suspend_user,
)
from participation.accounts.models import Membership, SignInToken, User
from participation.errors import InvalidInput, PermissionDenied
from participation.permissions import Role
from tests import factories
from tests.factories import time_travel

pytestmark = pytest.mark.usefixtures("database")


async def test_a_link_signs_in_once_and_verifies_the_email() -> None:
    user, token = await request_sign_in_link(" Clara@Example.org ", "Clara", "/mandates/3")
    assert user.email == "clara@example.org"
    assert not user.email_verified
    signed_in, next_path = await redeem_sign_in_link(token)
    assert signed_in.id == user.id
    assert signed_in.email_verified
    assert next_path == "/mandates/3"
    with pytest.raises(InvalidInput) as raised:
        await redeem_sign_in_link(token)
    assert [e.field for e in raised.value.errors] == ["token"]


async def test_the_token_is_stored_only_as_its_hash() -> None:
    _, token = await request_sign_in_link("dora@example.org")
    row = await SignInToken.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = await SignInToken.all().values()
    assert token not in repr(stored)


async def test_a_link_expires_after_15_minutes() -> None:
    assert LINK_MINUTES == 15
    issued = clock.now()
    with time_travel(issued):
        _, late = await request_sign_in_link("emil@example.org")
        _, timely = await request_sign_in_link("emil@example.org")
    with time_travel(issued + timedelta(minutes=15, seconds=1)):
        with pytest.raises(InvalidInput):
            await redeem_sign_in_link(late)
    with time_travel(issued + timedelta(minutes=14, seconds=59)):
        user, _ = await redeem_sign_in_link(timely)
    assert user.email_verified


async def test_an_expired_link_does_not_verify() -> None:
    issued = clock.now()
    with time_travel(issued):
        user, token = await request_sign_in_link("fritz@example.org")
    with time_travel(issued + timedelta(hours=1)), pytest.raises(InvalidInput):
        await redeem_sign_in_link(token)
    assert not (await User.get(id=user.id)).email_verified


@pytest.mark.parametrize("token", ["", "unknown", "x" * 201, "a" * 43])
async def test_unknown_tokens_are_rejected(token: str) -> None:
    await request_sign_in_link("gina@example.org")
    with pytest.raises(InvalidInput) as raised:
        await redeem_sign_in_link(token)
    assert [e.field for e in raised.value.errors] == ["token"]


async def test_a_second_link_for_the_same_address_keeps_one_account() -> None:
    first, _ = await request_sign_in_link("hans@example.org", "Hans")
    second, _ = await request_sign_in_link("HANS@example.org")
    assert first.id == second.id
    assert await User.filter(email="hans@example.org").count() == 1
    assert (await User.get(id=first.id)).display_name == "Hans"


async def test_a_new_account_without_a_name_gets_a_neutral_one() -> None:
    user, _ = await request_sign_in_link("ida@example.org")
    assert re.fullmatch(r"Mitglied [0-9a-f]{6}", user.display_name)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@b.de", "a b@c.de"])
async def test_a_bad_email_names_the_field(email: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await request_sign_in_link(email)
    assert [e.field for e in raised.value.errors] == ["email"]
    assert await User.all().count() == 0


async def test_an_over_long_display_name_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        await request_sign_in_link("jan@example.org", "J" * 81)
    assert [e.field for e in raised.value.errors] == ["display_name"]
    assert await User.all().count() == 0


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        (None, "/"),
        ("/me", "/me"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("me", "/"),
    ],
)
async def test_the_link_only_leads_back_to_this_site(asked: str | None, kept: str) -> None:
    _, token = await request_sign_in_link("kai@example.org", next_path=asked)
    _, next_path = await redeem_sign_in_link(token)
    assert next_path == kept


async def test_ensure_user_gives_roles_per_municipality() -> None:
    town = await factories.municipality()
    user = await ensure_user("rat@example.org", role=Role.COUNCIL, municipality_slug=town.slug)
    again = await ensure_user(
        "rat@example.org", role=Role.COUNCIL, municipality_slug=town.slug, verified=True
    )
    assert again.id == user.id and again.email_verified
    assert await Membership.filter(user_id=user.id).count() == 1
    actor = await load_actor(user.id)
    assert actor is not None
    assert actor.has_role(town.id, Role.COUNCIL)
    assert not actor.has_role(town.id, Role.ADMIN)
    assert not actor.has_role(town.id + 1, Role.COUNCIL)


async def test_ensure_user_refuses_a_role_without_a_municipality() -> None:
    with pytest.raises(InvalidInput) as raised:
        await ensure_user("x@example.org", role=Role.COUNCIL)
    assert [e.field for e in raised.value.errors] == ["municipality"]
    with pytest.raises(InvalidInput):
        await ensure_user("x@example.org", role=Role.COUNCIL, municipality_slug="nirgendwo")
    assert await User.all().count() == 0


async def test_load_actor_of_an_unknown_user_is_none() -> None:
    assert await load_actor(4711) is None


async def test_a_suspended_person_cannot_use_a_sign_in_link() -> None:
    user, token = await request_sign_in_link("gesperrt@example.org")
    await suspend_user("gesperrt@example.org")
    with pytest.raises(PermissionDenied):
        await redeem_sign_in_link(token)
    assert not (await User.get(id=user.id)).email_verified
