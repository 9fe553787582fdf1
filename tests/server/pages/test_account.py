"""The account page and the privacy notice, as a browser without JavaScript uses them."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation import clock
from participation.accounts.identity import sessions
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, TOPICS
from participation.accounts.models import Consent, User
from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from server.auth import ACCESS_COOKIE, SESSION_COOKIE, sign_in_cookies
from server.settings import Settings
from server.templating import BERLIN
from tests import factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
EMAIL = "paula@example.org"


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def paula(town: Municipality) -> Actor:
    return await factories.person(email=EMAIL, name="Paula")


@pytest.fixture
async def browser(client: httpx.AsyncClient, settings: Settings, paula: Actor) -> httpx.AsyncClient:
    """Paula's browser, signed in, reading English (the source language of new strings)."""
    started = await sessions.start_session(
        paula.user_id, sessions.BROWSER, "Firefox on Linux", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])
    client.cookies.set("lang", "en")
    return client


async def csrf(client: httpx.AsyncClient, path: str = "/account") -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def test_the_account_page_needs_signing_in(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/account"


async def test_the_account_page_shows_profile_consents_and_data_links(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/account")
    assert page.status_code == 200
    assert EMAIL in page.text
    assert 'value="Paula"' in page.text
    assert '<span class="signed">verified</span>' in page.text
    for topic in TOPICS.values():
        assert topic.wording("en").replace("'", "&#39;") in page.text
    assert "Wording version 1." in page.text
    assert 'href="/account/export"' in page.text
    assert 'href="/account/delete"' in page.text
    assert '<a href="/account" aria-current="page">' in page.text  # the signed-in navigation
    assert '<a href="/privacy">' in page.text  # the footer


async def test_the_display_name_form_saves_or_names_the_problem(
    browser: httpx.AsyncClient, paula: Actor
) -> None:
    token = await csrf(browser)
    saved = await browser.post(
        "/account/name", data={"csrf_token": token, "display_name": "Paula P."}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/account?saved=name"
    assert "Your display name is saved." in (await browser.get(saved.headers["location"])).text
    assert (await User.get(id=paula.user_id)).display_name == "Paula P."

    empty = await browser.post("/account/name", data={"csrf_token": token, "display_name": " "})
    assert empty.status_code == 422
    assert 'id="display_name-error">Display name must not be empty.' in empty.text
    forged = await browser.post("/account/name", data={"display_name": "Mallory"})
    assert forged.status_code == 422
    assert (await User.get(id=paula.user_id)).display_name == "Paula P."


async def test_the_consent_form_records_each_choice_with_its_version(
    browser: httpx.AsyncClient, paula: Actor
) -> None:
    token = await csrf(browser)
    versions = {f"{name}_version": topic.current for name, topic in TOPICS.items()}
    ticked = await browser.post(
        "/account/consents",
        data={"csrf_token": token, EMAIL_NOTIFICATIONS: "yes", **versions},
    )
    assert ticked.status_code == 303
    page = await browser.get("/account")
    assert re.search(rf'id="consent-{EMAIL_NOTIFICATIONS}"[^>]*checked', page.text)
    assert "Granted on" in page.text
    await browser.post("/account/consents", data={"csrf_token": token, **versions})
    rows = (
        await Consent.filter(user_id=paula.user_id)
        .order_by("id")
        .values_list("topic", "granted", "wording_version")
    )
    assert list(rows) == [(EMAIL_NOTIFICATIONS, True, "1"), (EMAIL_NOTIFICATIONS, False, "1")]

    stale = await browser.post(
        "/account/consents",
        data={
            "csrf_token": token,
            EMAIL_NOTIFICATIONS: "yes",
            f"{EMAIL_NOTIFICATIONS}_version": "0",
        },
    )
    assert stale.status_code == 422
    assert 'id="consents-error"' in stale.text
    assert await Consent.filter(user_id=paula.user_id).count() == 2


async def test_download_my_data_is_a_json_attachment(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/account/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    day = clock.now().astimezone(BERLIN).date().isoformat()
    assert response.headers["content-disposition"] == (
        f'attachment; filename="auftrag-export-{day}.json"'
    )
    assert response.headers["cache-control"] == "no-store"
    document = json.loads(response.text)
    assert document["profile"]["email"] == EMAIL
    assert [s["device"] for s in document["sessions"]] == ["tests", "Firefox on Linux"]


async def test_deleting_asks_for_the_email_then_signs_out_everywhere(
    browser: httpx.AsyncClient, paula: Actor, town: Municipality
) -> None:
    mandate = await factories.mandate(paula, town, title="Paulas Brunnen")
    form = await browser.get("/account/delete")
    assert form.status_code == 200
    assert 'name="confirm_email"' in form.text
    token = CSRF.search(form.text).group(1)  # type: ignore[union-attr]

    wrong = await browser.post(
        "/account/delete", data={"csrf_token": token, "confirm_email": "paul@example.org"}
    )
    assert wrong.status_code == 422
    assert 'id="confirm_email-error"' in wrong.text
    assert await User.exists(id=paula.user_id)
    forged = await browser.post("/account/delete", data={"confirm_email": EMAIL})
    assert forged.status_code == 422
    assert await User.exists(id=paula.user_id)

    session_cookie = browser.cookies[SESSION_COOKIE]
    done = await browser.post("/account/delete", data={"csrf_token": token, "confirm_email": EMAIL})
    assert done.status_code == 303
    assert done.headers["location"] == "/account/deleted"
    cleared = done.headers.get_list("set-cookie")
    for name in (SESSION_COOKIE, ACCESS_COOKIE):
        assert any(c.startswith(f"{name}=;") and "Max-Age=0" in c for c in cleared), cleared
    landing = await browser.get("/account/deleted")
    assert "Your account is deleted" in landing.text
    assert 'href="/sign-in' in landing.text
    assert not await User.exists(id=paula.user_id)

    browser.cookies.set(SESSION_COOKIE, session_cookie)
    assert (await browser.get("/account")).status_code == 303
    public = await browser.get(f"/mandates/{mandate.id}")
    assert "Launched by a former member" in public.text
    assert (await Mandate.get(id=mandate.id)).status == Status.COLLECTING


async def test_the_privacy_notice_is_public_and_links_to_the_rights(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    client.cookies.set("lang", "en")
    page = await client.get("/privacy")
    assert page.status_code == 200
    for target in ("/account/export", "/account/delete", "/account#consents"):
        assert f'href="{target}"' in page.text
    assert "ballots cannot be linked" in page.text
    assert "anonymous counts" in page.text
    assert "30 days without use" in page.text
    assert '<a href="/privacy">' in page.text
