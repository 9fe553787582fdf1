"""The invitation's links in a browser: open, one-click score, a comment; and the
administrators' page of catalogue and rules."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from notifications.visits.models import Invitation, InvitationPolicy, ServiceType
from participation.accounts.identity.sessions import BROWSER, start_session
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import visits

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CLICK = {"sec-fetch-user": "?1", "sec-fetch-site": "none"}


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def invitation(town: Municipality) -> Invitation:
    return await visits.invitation(town)


def _score(invitation: Invitation, score: int) -> str:
    return f"/invitations/{invitation.token}/satisfaction/{score}"


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def test_the_invitation_link_notes_the_opening_and_leads_to_the_consultation(
    client: httpx.AsyncClient, invitation: Invitation
) -> None:
    opened = await client.get(f"/invitations/{invitation.token}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == invitation.target_path
    first = (await Invitation.get(id=invitation.id)).opened_at
    assert first is not None
    await client.get(f"/invitations/{invitation.token}", follow_redirects=False)
    assert (await Invitation.get(id=invitation.id)).opened_at == first
    assert (await client.get("/invitations/not-a-token")).status_code == 404


async def test_one_click_records_the_score_once(
    client: httpx.AsyncClient, invitation: Invitation
) -> None:
    page = await client.get(_score(invitation, 4), headers=CLICK)
    assert page.status_code == 200
    assert "Ummeldung" in page.text and "4" in page.text
    assert (await Invitation.get(id=invitation.id)).score == 4

    again = await client.get(_score(invitation, 1), headers=CLICK)
    assert again.status_code == 200
    assert (await Invitation.get(id=invitation.id)).score == 4
    assert 'name="comment"' in again.text


async def test_a_link_scanner_records_nothing_and_a_person_confirms_with_one_button(
    client: httpx.AsyncClient, invitation: Invitation
) -> None:
    for score in range(1, 6):
        scanned = await client.get(_score(invitation, score))
        assert scanned.status_code == 200
    assert (await Invitation.get(id=invitation.id)).score is None

    token = await _csrf(client, _score(invitation, 2))
    confirmed = await client.post(
        _score(invitation, 2), data={"csrf_token": token}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert (await Invitation.get(id=invitation.id)).score == 2
    without_token = await client.post(_score(invitation, 5), data={})
    assert without_token.status_code in (403, 422)
    assert (await Invitation.get(id=invitation.id)).score == 2


async def test_a_comment_is_added_to_the_score_once_and_rendered_safely(
    client: httpx.AsyncClient, invitation: Invitation
) -> None:
    await client.get(_score(invitation, 3), headers=CLICK)
    comment_url = f"/invitations/{invitation.token}/comment"
    token = await _csrf(client, _score(invitation, 3))
    empty = await client.post(comment_url, data={"csrf_token": token, "comment": " "})
    assert empty.status_code == 422 and 'aria-invalid="true"' in empty.text
    sent = await client.post(
        comment_url,
        data={"csrf_token": token, "comment": "Lange gewartet <script>alert(1)</script>"},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    assert "Lange gewartet" in sent.text and "<script>alert" not in sent.text
    saved = await Invitation.get(id=invitation.id)
    assert saved.comment.startswith("Lange gewartet")
    second = await client.post(comment_url, data={"csrf_token": token, "comment": "Noch was"})
    assert second.status_code == 409
    assert (await Invitation.get(id=invitation.id)).comment == saved.comment


async def test_an_administrator_edits_catalogue_and_rules_by_plain_forms(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    page_url = f"/m/{town.slug}/service-visits/settings"
    assert (await client.get(page_url, follow_redirects=False)).status_code == 303
    started = await start_session(admin.user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])
    token = await _csrf(client, page_url)
    saved = await client.post(
        f"/m/{town.slug}/service-visits/catalogue",
        data={
            "csrf_token": token,
            "rows": "3",
            "services.0.code": "vehicle.registration",
            "services.0.name_de": "Kfz-Zulassung",
            "services.0.name_en": "Vehicle registration",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert await ServiceType.filter(municipality_id=town.id).count() == 1
    wrong = await client.post(
        f"/m/{town.slug}/service-visits/catalogue",
        data={"csrf_token": token, "rows": "1", "services.0.code": "Kein Code"},
    )
    assert wrong.status_code == 422 and 'id="services.0.code"' in wrong.text
    rules = await client.post(
        f"/m/{town.slug}/service-visits/rules",
        data={
            "csrf_token": token,
            "cap_days": "21",
            "topics.vehicle.registration": "Mobilität, Radverkehr",
        },
        follow_redirects=False,
    )
    assert rules.status_code == 303, rules.text
    assert (await InvitationPolicy.get(municipality_id=town.id)).cap_days == 21
    page = await client.get(page_url)
    assert "mobilität, radverkehr" in page.text


async def test_the_settings_page_is_for_administrators_only(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    citizen = await factories.person()
    started = await start_session(citizen.user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])
    assert (await client.get(f"/m/{town.slug}/service-visits/settings")).status_code == 403
