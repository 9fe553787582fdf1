"""The administration page as an administrator meets it without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.accounts.models import Membership, Residency, RoleChange
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    """Cookies exactly as a sign-in sets them."""
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def test_an_admin_grants_a_role_sets_levels_and_verifies_a_resident(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)
    newcomer = await factories.person(email="neu@example.org", name="Nora Neu")
    await _browse_as(client, settings, admin.user_id)
    municipality_page = await client.get("/m/musterdorf")
    assert 'href="/m/musterdorf/admin"' in municipality_page.text
    token = await _csrf(client, "/m/musterdorf/admin")

    granted = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "neu@example.org", "role": "moderator"},
    )
    assert granted.status_code == 303
    assert granted.headers["location"] == "/m/musterdorf/admin/people?done=granted"
    assert await Membership.filter(user_id=newcomer.user_id, role=Role.MODERATOR).exists()
    page = (await client.get("/m/musterdorf/admin/people")).text
    assert "Nora Neu" in page and "Ada Admin" in page
    assert 'href="/m/musterdorf/admin/people"' in (await client.get("/m/musterdorf/admin")).text

    levels = await client.post(
        "/m/musterdorf/admin/levels",
        data={
            "csrf_token": token,
            "launch_level": "email_verified",
            "sign_level": "resident_verified",
            "vote_level": "resident_verified",
        },
    )
    assert levels.status_code == 303
    await town.refresh_from_db()
    assert (town.sign_level, town.vote_level) == ("resident_verified", "resident_verified")

    verified = await client.post(
        "/m/musterdorf/admin/residents",
        data={"csrf_token": token, "email": "neu@example.org", "district": "nord"},
    )
    assert verified.status_code == 303
    assert await Residency.filter(user_id=newcomer.user_id, source="admin").exists()
    revoked = await client.post(
        "/m/musterdorf/admin/roles/revoke",
        data={"csrf_token": token, "user_id": str(newcomer.user_id), "role": "moderator"},
    )
    assert revoked.status_code == 303
    assert [c.granted for c in await RoleChange.all().order_by("id")] == [True, False]


async def test_mistakes_come_back_next_to_the_field(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin?lang=en")
    page = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "niemand@", "role": "council"},
    )
    assert page.status_code == 422
    assert 'id="roles-email-error"' in page.text and 'aria-invalid="true"' in page.text
    assert 'value="niemand@"' in page.text
    assert 'href="#roles-email"' in page.text
    key = await client.post(
        "/m/musterdorf/admin/portal-keys",
        data={"csrf_token": token, "name": "Portal", "public_key": "kein Schlüssel"},
    )
    assert key.status_code == 422 and 'id="keys-public_key-error"' in key.text
    assert await RoleChange.all().count() == 0


async def test_the_page_is_for_this_municipality_s_admins_only(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    assert (await client.get("/m/musterdorf/admin")).status_code == 303
    council = await factories.council_member(town)
    await _browse_as(client, settings, council.user_id)
    assert (await client.get("/m/musterdorf/admin")).status_code == 404
    assert 'href="/m/musterdorf/admin"' not in (await client.get("/m/musterdorf")).text
    token = await _csrf(client, "/m/musterdorf")
    forged = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "x@example.org", "role": "admin"},
    )
    assert forged.status_code == 403
    assert await RoleChange.all().count() == 0
