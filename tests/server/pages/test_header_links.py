"""The header's links per role, with the current page marked."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.commands import ensure_user
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.server.pages.test_residence import browse_as


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterstadt", name="Musterstadt")


def nav(page: httpx.Response) -> str:
    found = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page.text, re.S)
    assert found, page.text
    return found.group(1)


def links(page: httpx.Response) -> dict[str, str]:
    """Label → href of the header's links."""
    return {
        re.sub(r"<[^>]+>|\s+", " ", label).strip(): href
        for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', nav(page), re.S)
    }


def current(page: httpx.Response) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', nav(page))


async def test_signed_out_mandates_lead_to_the_municipalities(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    signed_out = links(await client.get("/sign-in?lang=en"))
    assert signed_out["Mandates"] == "/"
    assert "Votes" not in signed_out and "Administration" not in signed_out
    on_its_page = await client.get("/m/musterstadt?lang=en")
    assert links(on_its_page)["Votes"] == "/m/musterstadt/votes"
    assert current(on_its_page) == ["/m/musterstadt"]


async def test_a_citizen_gets_her_municipality_and_her_own_pages(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    await browse_as(client, settings, await factories.person(lives_in=town))
    page = await client.get("/me/mandates?lang=en")
    found = links(page)
    assert found["Mandates"] == "/m/musterstadt"
    assert found["Votes"] == "/m/musterstadt/votes"
    assert found["My mandates"] == "/me/mandates" and found["Account"] == "/account"
    assert "Administration" not in found and "Review queue" not in found
    assert current(page) == ["/me/mandates"]
    votes = await client.get("/m/musterstadt/votes?lang=en")
    assert current(votes) == ["/m/musterstadt/votes"]


async def test_council_members_get_the_queue_and_administrators_the_administration(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    await browse_as(client, settings, await factories.council_member(town))
    council = links(await client.get("/me/mandates?lang=en"))
    assert council["Review queue"] == "/m/musterstadt/council"
    assert "Administration" not in council

    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=None)
    client.cookies.clear()
    await browse_as(client, settings, admin)
    page = await client.get("/m/musterstadt/admin?lang=en")
    found = links(page)
    assert found["Administration"] == "/m/musterstadt/admin"
    # Living nowhere, her municipality is the one she administers.
    assert found["Mandates"] == "/m/musterstadt"
    assert "/m/musterstadt/admin" in current(page)


async def test_administrators_of_two_see_both_by_name(
    client: httpx.AsyncClient, settings: Settings, town: Municipality
) -> None:
    await factories.municipality("nachbarort", name="Nachbarort")
    admin = await factories.person(email="ada@example.org", role=Role.ADMIN, municipality=town)
    await ensure_user("ada@example.org", role=Role.ADMIN, municipality_slug="nachbarort")
    await browse_as(client, settings, admin)
    found = links(await client.get("/account?lang=en"))
    assert found["Administration of Musterstadt"] == "/m/musterstadt/admin"
    assert found["Administration of Nachbarort"] == "/m/nachbarort/admin"
