"""GET /api/v1/municipalities and /api/v1/municipalities/{slug}."""

from __future__ import annotations

import httpx

from participation.municipalities.models import Municipality
from tests import factories
from tests.support import assert_problem


async def test_list_municipalities_by_name_with_districts(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await factories.municipality("aue", name="Aue", districts=())
    response = await client.get("/api/v1/municipalities")
    assert response.status_code == 200
    body = response.json()
    assert [m["slug"] for m in body["items"]] == ["aue", "musterdorf"]
    assert body["next"] is None
    musterdorf = body["items"][1]
    assert musterdorf == {
        "slug": "musterdorf",
        "name": "Musterdorf",
        "default_quorum": 4,
        "signature_period_days": 30,
        "service_promise_days": 5,
        "state": None,
        "local_holidays": [],
        "population": None,
        "time_zone": "Europe/Berlin",
        "districts": [
            {"slug": "mitte", "name": "Mitte", "retired": False},
            {"slug": "nord", "name": "Nord", "retired": False},
            {"slug": "sued", "name": "Süd", "retired": False},
        ],
        "verification_levels": {
            "launch_level": "email_verified",
            "sign_level": "email_verified",
            "vote_level": "email_verified",
        },
        "official_key": None,
        "contact_email": "",
        "contact_phone": "",
        "contact_address": "",
        "open_data_licence": "dl-de/by-2-0",
        "primary_color": None,
        "welcome_text": None,
        "coat_of_arms_url": None,
    }


async def test_list_municipalities_pages_with_a_cursor(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    for name in ("Aue", "Bad Beispiel", "Celle-Test"):
        await factories.municipality(name=name)
    seen: list[str] = []
    url = "/api/v1/municipalities?limit=3"
    pages = 0
    while url:
        body = (await client.get(url)).json()
        seen += [m["name"] for m in body["items"]]
        pages += 1
        url = f"/api/v1/municipalities?limit=3&cursor={body['next']}" if body["next"] else ""
    assert seen == ["Aue", "Bad Beispiel", "Celle-Test", "Musterdorf"]
    assert pages == 2


async def test_list_limit_is_validated(client: httpx.AsyncClient, town: Municipality) -> None:
    for limit in ("0", "101", "viele"):
        response = await client.get(f"/api/v1/municipalities?limit={limit}")
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["limit"]


async def test_get_a_municipality(client: httpx.AsyncClient, town: Municipality) -> None:
    response = await client.get("/api/v1/municipalities/musterdorf")
    assert response.status_code == 200
    assert response.json()["name"] == "Musterdorf"
    assert len(response.json()["districts"]) == 3


async def test_an_unknown_municipality_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/municipalities/nirgendwo")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "This municipality does not exist."


async def test_a_malformed_cursor_is_named(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/municipalities?cursor=abc")
    assert_problem(response, 422, {"cursor"})
