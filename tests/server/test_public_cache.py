"""What a shared cache may keep carries no cookie, and theme.css is kept for long only
under the current colour's address."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.files import crest
from participation.municipalities import face
from participation.municipalities.models import Municipality
from participation.opendata.datasets import DATASETS
from participation.permissions import Role
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories

# Every test here stores crests: each gets a store of its own.
pytestmark = pytest.mark.usefixtures("store")

FOREVER = "public, max-age=31536000, immutable"


@pytest.fixture
async def town(app: object) -> Municipality:
    town = await factories.municipality("cachestadt", name="Cachestadt")
    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)
    await face.update_face(admin, town.slug, {"primary_color": "#1d4f91"})
    out = io.BytesIO()
    Image.new("RGB", (32, 40), (200, 30, 30)).save(out, "PNG")
    return await crest.set_coat_of_arms(admin, town.slug, out.getvalue())


def _public_addresses(town: Municipality) -> list[str]:
    return [
        str(face.theme_url(town)),
        str(face.crest_url(town)),
        "/favicon.ico",
        "/favicon.svg",
        f"/m/{town.slug}/feed.atom",
        f"/open-data/{town.slug}/{next(iter(DATASETS))}.csv",
        f"/open-data/{town.slug}/{next(iter(DATASETS))}.json",
        "/open-data/catalog.jsonld",
        "/static/auftrag.css",
    ]


async def test_no_publicly_cached_response_sets_a_cookie(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    # A page gives a new browser its CSRF cookie; a cacheable answer does not.
    page = await client.get(f"/m/{town.slug}")
    assert "auftrag_csrf=" in page.headers.get("set-cookie", "")
    client.cookies.clear()
    for path in _public_addresses(town):
        for query in ("", "?lang=en" if "?" not in path else "&lang=en"):
            response = await client.get(path + query)
            assert response.status_code == 200, path
            assert "set-cookie" not in response.headers, (path + query, response.headers)
    # Nor for a signed-in browser whose session is renewed on the way.
    person = await factories.person()
    started = await start_session(person.user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        if name.endswith("session"):
            client.cookies.set(name, rest.split(";", 1)[0])
    for path in _public_addresses(town):
        response = await client.get(path)
        assert "set-cookie" not in response.headers, (path, response.headers)
    renewed = await client.get(f"/m/{town.slug}")
    assert "set-cookie" in renewed.headers


async def test_theme_css_is_kept_for_long_only_under_the_current_colour(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    current = await client.get(f"/m/{town.slug}/theme.css?v=1d4f91")
    assert current.headers["cache-control"] == FOREVER
    assert "--brand: #1d4f91" in current.text
    for stale in ("?v=ffffff", "?v=anything", ""):
        response = await client.get(f"/m/{town.slug}/theme.css{stale}")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache", stale
