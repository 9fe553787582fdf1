"""The people page of the administration: found a page at a time, roles confirmed,
invitations waiting on an address until its first sign-in."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import MailboxMessage
from participation.accounts.models import Membership, PendingRole, User
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.server.pages.test_administration import _browse_as, _csrf
from tests.server.pages.test_pages import sign_in
from tests.support import eventually


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


async def test_the_list_pages_and_finds_by_name_or_email(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)
    for n in range(55):
        await factories.person(
            email=f"buerger{n:02}@example.org",
            name=f"Bürger {n:02}",
            role=Role.CITIZEN,
            municipality=town,
        )
    await factories.person(
        email="zora@rathaus.de", name="Zora Zett", role=Role.COUNCIL, municipality=town
    )
    await _browse_as(client, settings, admin.user_id)
    first = (await client.get("/m/musterdorf/admin/people")).text
    assert first.count('class="person"') == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = (await client.get("/m/musterdorf/admin/people?page=2")).text
    assert second.count('class="person"') == 7 and 'rel="prev"' in second
    assert "Zora Zett" in second and "Zora Zett" not in first
    by_name = (await client.get("/m/musterdorf/admin/people?q=zett")).text
    assert by_name.count('class="person"') == 1 and "zora@rathaus.de" in by_name
    by_email = (await client.get("/m/musterdorf/admin/people?q=RATHAUS.de")).text
    assert by_email.count('class="person"') == 1 and "Zora Zett" in by_email
    nobody = (await client.get("/m/musterdorf/admin/people?q=xyz")).text
    assert nobody.count('class="person"') == 0


async def test_a_granted_role_is_confirmed_on_the_page(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await factories.person(email="nora@example.org", name="Nora Neu")
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin/people")
    granted = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "nora@example.org", "role": "council"},
        follow_redirects=True,
    )
    assert granted.status_code == 200
    assert 'role="status"' in granted.text and "Die Rolle ist vergeben." in granted.text
    assert "Nora Neu" in granted.text


async def test_an_invited_address_gets_its_role_at_the_first_sign_in_by_emailed_link(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin/people")
    invited = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "Rita.Rat@example.org", "role": "council"},
    )
    assert invited.headers["location"] == "/m/musterdorf/admin/people?done=invited"
    page = (await client.get(invited.headers["location"])).text
    assert "rita.rat@example.org" in page and "Einladung" in page
    assert not await User.filter(email="rita.rat@example.org").exists()

    async def told() -> bool:
        return await MailboxMessage.filter(to="rita.rat@example.org").exists()

    await eventually(told)
    mail = await MailboxMessage.filter(to="rita.rat@example.org").first()
    assert mail is not None and "Musterdorf" in mail.subject
    assert re.search(r"/sign-in\?next=%2Fm%2Fmusterdorf", mail.body)

    client.cookies.clear()
    done = await sign_in(client, "rita.rat@example.org", "Rita Rat")
    assert done.status_code == 303
    rita = await User.get(email="rita.rat@example.org")
    assert await Membership.filter(
        user_id=rita.id, municipality_id=town.id, role=Role.COUNCIL
    ).exists()
    assert (await PendingRole.get(email="rita.rat@example.org")).accepted_at is not None
    assert (await client.get("/m/musterdorf/council")).status_code == 200


async def test_a_waiting_invitation_is_withdrawn_from_the_page(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin/people")
    await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "weg@example.org", "role": "moderator"},
    )
    pending = await PendingRole.get(email="weg@example.org")
    withdrawn = await client.post(
        "/m/musterdorf/admin/invitations/withdraw",
        data={"csrf_token": token, "invitation_id": str(pending.id)},
    )
    assert withdrawn.headers["location"] == "/m/musterdorf/admin/people?done=withdrawn"
    page = (await client.get(withdrawn.headers["location"])).text
    assert "weg@example.org" not in page
    await pending.refresh_from_db()
    assert pending.withdrawn_at is not None


async def test_the_people_page_is_for_this_municipality_s_administrators_only(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    other = await factories.municipality("nachbarort")
    stranger = await factories.person(role=Role.ADMIN, municipality=other)
    await _browse_as(client, settings, stranger.user_id)
    assert (await client.get("/m/musterdorf/admin/people")).status_code == 404
    assert (await client.get("/m/musterdorf/admin/settings")).status_code == 404
    token = await _csrf(client, "/m/nachbarort/admin/people")
    forged = await client.post(
        "/m/musterdorf/admin/roles",
        data={"csrf_token": token, "email": "x@example.org", "role": "admin"},
    )
    assert forged.status_code == 403
    assert not await PendingRole.exists()
