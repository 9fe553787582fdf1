"""GET /api/v1/me, and who counts as signed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import jwt

from participation import clock
from participation.accounts.models import User
from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.auth import issue_token
from server.settings import Settings
from tests import factories
from tests.support import assert_problem


async def test_me_shows_the_account_with_roles_per_municipality(
    client: httpx.AsyncClient, town: Municipality, auth: Callable[[Actor], dict[str, str]]
) -> None:
    person = await factories.person(
        email="rita@example.org", name="Rita", role=Role.COUNCIL, municipality=town, lives_in=None
    )
    response = await client.get("/api/v1/me", headers=auth(person))
    assert response.status_code == 200
    assert response.json() == {
        "id": person.user_id,
        "email": "rita@example.org",
        "display_name": "Rita",
        "account_ref": (await User.get(id=person.user_id)).account_ref,
        "roles": [{"municipality": "musterdorf", "role": "council"}],
        "verification": {"email_verified": True, "resident_verified": []},
        "residence": None,
        "operator": False,
    }


async def test_me_shows_an_unverified_email(
    client: httpx.AsyncClient, town: Municipality, auth: Callable[[Actor], dict[str, str]]
) -> None:
    person = await factories.person(verified=False)
    body = (await client.get("/api/v1/me", headers=auth(person))).json()
    assert body["verification"] == {"email_verified": False, "resident_verified": []}
    assert body["roles"] == []


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/me"), 401)


async def test_tokens_that_do_not_count(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    person = await factories.person()
    assert person.session_id is not None
    sid = person.session_id
    now = clock.now()
    forged = [
        "not-a-jwt",
        issue_token(settings, person.user_id, sid, timedelta(seconds=-1)),  # expired
        issue_token(settings, person.user_id, sid + 1000),  # no such session
        jwt.encode(  # signed with another key
            {
                "sub": str(person.user_id),
                "iat": now,
                "exp": now + timedelta(hours=1),
                "typ": "access",
            },
            "another-secret-key-that-is-long-enough-for-hs256",
            algorithm="HS256",
        ),
        jwt.encode(  # no expiry
            {"sub": str(person.user_id), "iat": now, "typ": "access"},
            settings.secret_key,
            algorithm="HS256",
        ),
        jwt.encode(  # unsigned
            {
                "sub": str(person.user_id),
                "iat": now,
                "exp": now + timedelta(hours=1),
                "typ": "access",
            },
            None,
            algorithm="none",
        ),
        issue_token(settings, 9999, sid),  # no such user
    ]
    for token in forged:
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)
