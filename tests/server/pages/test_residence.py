"""Declaring residence on the page that needs it, then going on with the action."""

from __future__ import annotations

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import httpx
import pytest
from starlette.applications import Starlette

from participation import clock
from participation.accounts.identity import sessions
from participation.accounts.models import ResidenceDeclaration
from participation.actors import Actor
from participation.mandates.models import Mandate, Signature
from participation.municipalities.models import District, Municipality
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import votes as vote_factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterstadt", name="Musterstadt")


@pytest.fixture
async def mandate(town: Municipality) -> Mandate:
    return await factories.mandate(await factories.person(lives_in=town), town)


async def browse_as(client: httpx.AsyncClient, settings: Settings, person: Actor) -> None:
    started = await sessions.start_session(
        person.user_id, sessions.BROWSER, "tests", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        for name, morsel in SimpleCookie(header.decode()).items():
            client.cookies.set(name, morsel.value)


async def test_a_co_sign_from_the_mandate_page_ends_signed_after_declaring(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, mandate: Mandate
) -> None:
    newcomer = await factories.person(lives_in=None)
    await browse_as(client, settings, newcomer)
    page = await client.get(f"/mandates/{mandate.id}?lang=en")
    assert "Open to people who live in Musterstadt (declared)." in page.text
    assert "I live in Musterstadt" in page.text
    assert 'name="residence_confirm"' in page.text
    token = CSRF.search(page.text)
    assert token
    form = {"csrf_token": token.group(1), "residence_municipality": "musterstadt"}

    unconfirmed = await client.post(f"/mandates/{mandate.id}/sign", data=form)
    assert unconfirmed.status_code == 422
    assert not await Signature.filter(user_id=newcomer.user_id).exists()

    signed = await client.post(
        f"/mandates/{mandate.id}/sign",
        data={**form, "residence_confirm": "1", "residence_district": "nord"},
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == f"/mandates/{mandate.id}?signed=1#signatures"
    assert await Signature.filter(user_id=newcomer.user_id, mandate_id=mandate.id).exists()
    declared = await ResidenceDeclaration.get(user_id=newcomer.user_id).prefetch_related("district")
    assert declared.municipality_id == town.id and declared.district.slug == "nord"
    after = await client.get(f"/mandates/{mandate.id}?lang=en")
    assert "You have co-signed this mandate." in after.text
    assert 'name="residence_confirm"' not in after.text


async def test_pressing_co_sign_without_a_declaration_leads_back_to_the_form(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, mandate: Mandate
) -> None:
    neighbour_town = await factories.municipality("nachbarort", name="Nachbarort")
    outsider = await factories.person(lives_in=neighbour_town)
    await browse_as(client, settings, outsider)
    page = await client.get(f"/mandates/{mandate.id}")
    token = CSRF.search(page.text)
    assert token
    pressed = await client.post(f"/mandates/{mandate.id}/sign", data={"csrf_token": token.group(1)})
    assert pressed.status_code == 303
    assert not await Signature.filter(user_id=outsider.user_id).exists()
    again = await client.get(pressed.headers["location"])
    assert 'name="residence_confirm"' in again.text


async def test_a_district_vote_offers_its_district_and_leads_on_to_the_ballot(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, district="nord")
    newcomer = await factories.person(lives_in=None)
    await browse_as(client, settings, newcomer)
    page = await client.get(f"/votes/{vote.id}?lang=en")
    assert "Open to people who live in Nord (declared)." in page.text
    assert '<option value="nord" selected>' in page.text
    token = CSRF.search(page.text)
    assert token
    declared = await client.post(
        "/account/residence",
        data={
            "csrf_token": token.group(1),
            "next": f"/votes/{vote.id}/ballot",
            "residence_municipality": "musterstadt",
            "residence_district": "nord",
            "residence_confirm": "1",
        },
    )
    assert declared.status_code == 303
    assert declared.headers["location"] == f"/votes/{vote.id}/ballot"
    again = await client.get(f"/votes/{vote.id}?lang=en")
    assert 'name="residence_confirm"' not in again.text
    assert "Vote</a>" in again.text


async def test_the_account_page_offers_only_districts_still_in_use(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    town = await factories.municipality(
        "bezirksstadt", name="Bezirksstadt", districts=(("alt", "Altstadt"), ("neu", "Neustadt"))
    )
    await District.filter(municipality_id=town.id, slug="alt").update(retired_at=clock.now())
    await browse_as(client, settings, await factories.person(lives_in=None))
    page = await client.get("/account?lang=en")
    assert page.status_code == 200
    assert '<option value="neu"' in page.text
    assert '<option value="alt"' not in page.text
