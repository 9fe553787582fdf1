"""A municipality's mandate list, as page and API: orders, the count, topics with `#`."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from participation.mandates import commands
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from tests import factories
from tests.support import assert_problem


@pytest.fixture
async def listed(app: Starlette) -> dict[str, Mandate]:
    town = await factories.municipality("musterdorf", quorum=4)
    initiator = await factories.person()
    made = {
        "Alt sammelnd": await factories.mandate(initiator, town, title="Alt sammelnd"),
        "Eingereicht": await factories.mandate(
            initiator, town, Status.SUBMITTED, title="Eingereicht", topics=["Radverkehr"]
        ),
        "Neu sammelnd": await factories.mandate(
            initiator, town, title="Neu sammelnd", topics=["radverkehr"]
        ),
    }
    for signer in await factories.people(2):
        await commands.sign_mandate(signer, made["Alt sammelnd"].id)
    return made


def shown(page: httpx.Response, titles: list[str]) -> list[str]:
    """`titles` in the order the page lists them."""
    return sorted(titles, key=lambda title: page.text.index(f">{title}<"))


TITLES = ["Alt sammelnd", "Eingereicht", "Neu sammelnd"]


async def test_collecting_first_by_default_with_the_count(
    client: httpx.AsyncClient, listed: dict[str, Mandate]
) -> None:
    page = await client.get("/m/musterdorf?lang=en")
    assert page.status_code == 200
    assert shown(page, TITLES) == ["Neu sammelnd", "Alt sammelnd", "Eingereicht"]
    assert '<p class="result-count" id="result-count" role="status">3 mandates</p>' in page.text
    assert '<option value="collecting" selected>' in page.text
    german = await client.get("/m/musterdorf?lang=de")
    assert "3 Aufträge" in german.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Neu sammelnd", "Eingereicht", "Alt sammelnd"]),
        ("signatures", ["Eingereicht", "Alt sammelnd", "Neu sammelnd"]),
        ("closing", ["Alt sammelnd", "Neu sammelnd", "Eingereicht"]),
        ("collecting", ["Neu sammelnd", "Alt sammelnd", "Eingereicht"]),
        # An order the page does not offer is ignored.
        ("cheapest", ["Neu sammelnd", "Alt sammelnd", "Eingereicht"]),
    ],
)
async def test_each_order_on_the_page(
    client: httpx.AsyncClient, listed: dict[str, Mandate], sort: str, expected: list[str]
) -> None:
    page = await client.get(f"/m/musterdorf?sort={sort}")
    assert page.status_code == 200
    assert shown(page, TITLES) == expected


async def test_a_topic_with_or_without_hash_on_the_page(
    client: httpx.AsyncClient, listed: dict[str, Mandate]
) -> None:
    for topic in ("radverkehr", "%23Radverkehr", "%23radverkehr"):
        page = await client.get(f"/m/musterdorf?topic={topic}&lang=en")
        assert "Eingereicht" in page.text and "Neu sammelnd" in page.text
        assert "Alt sammelnd" not in page.text
        assert ">2 mandates<" in page.text
        assert 'value="radverkehr"' in page.text


async def test_the_next_page_keeps_the_order(app: Starlette, client: httpx.AsyncClient) -> None:
    town: Municipality = await factories.municipality("musterdorf")
    initiator = await factories.person()
    for n in range(21):
        await factories.mandate(initiator, town, title=f"Auftrag Nummer {n}")
    page = await client.get("/m/musterdorf?sort=signatures&lang=en")
    assert ">21 mandates<" in page.text
    assert "sort=signatures&amp;cursor=20" in page.text
    rest = await client.get("/m/musterdorf?sort=signatures&cursor=20")
    # Each of the 21 has the initiator's one signature: the oldest comes last.
    assert rest.text.count('<article class="card">') == 1 and "Auftrag Nummer 0<" in rest.text


async def test_the_api_sorts_and_refuses_an_unknown_order(
    client: httpx.AsyncClient, listed: dict[str, Mandate]
) -> None:
    base = "/api/v1/municipalities/musterdorf/mandates"
    unasked = (await client.get(base)).json()["items"]
    assert [m["title"] for m in unasked] == ["Neu sammelnd", "Eingereicht", "Alt sammelnd"]
    most = (await client.get(f"{base}?sort=signatures")).json()["items"]
    assert [m["title"] for m in most] == ["Eingereicht", "Alt sammelnd", "Neu sammelnd"]
    first = (await client.get(f"{base}?sort=collecting&limit=2")).json()
    assert [m["title"] for m in first["items"]] == ["Neu sammelnd", "Alt sammelnd"]
    rest = (await client.get(f"{base}?sort=collecting&limit=2&cursor={first['next']}")).json()
    assert [m["title"] for m in rest["items"]] == ["Eingereicht"] and rest["next"] is None
    assert_problem(await client.get(f"{base}?sort=cheapest"), 422, {"sort"})
    tagged = (await client.get(f"{base}?topic=%23Radverkehr")).json()["items"]
    assert {m["title"] for m in tagged} == {"Eingereicht", "Neu sammelnd"}
