"""Cost analysis pages as a browser without JavaScript meets them."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.costs.models import CostAnalysis, CostRevision
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.factories import costs as cost_factories
from tests.server.pages.test_votes import browse_as, csrf


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    town = await factories.municipality("musterdorf", name="Musterdorf", quorum=2)
    town.population = 12_000
    await town.save()
    return town


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.person(email="rat@example.org", role=Role.COUNCIL, municipality=town)


@pytest.fixture
async def reviewed(town: Municipality, council: Actor) -> Mandate:
    initiator = await factories.person(name="Initiatorin")
    return await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)


def _row(i: int, description: str, category: str, kind: str, amount: str, source: str = "") -> dict:
    p = f"items-{i}-"
    return {
        p + "description": description,
        p + "category": category,
        p + "kind": kind,
        p + "amount": amount,
        p + "funding_source": source,
    }


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_mandate_page_shows_published_analyses_with_totals(
    client: httpx.AsyncClient, council: Actor, reviewed: Mandate
) -> None:
    await cost_factories.cost_analysis(council, reviewed, publish=True)
    await cost_factories.cost_analysis(council, reviewed, title="Geheimer Entwurf")
    page = await client.get(f"/mandates/{reviewed.id}")
    assert page.status_code == 200
    assert '<section id="costs" data-live' in page.text
    assert '<th scope="col">Posten</th>' in page.text
    text = _text(page.text)
    assert "Kosten des Radwegs" in text
    assert "Geheimer Entwurf" not in text
    assert "100.000,00 €" in text  # one-off
    assert "4.500,00 €" in text  # per year
    assert "8,71 €" in text  # per resident in the first year
    assert "12.000" in text
    # The timeline says so, in German.
    assert "Kostenanalyse „Kosten des Radwegs“ veröffentlicht" in text
    assert "vom Rat Zur Kostenanalyse" in text

    english = _text((await client.get(f"/mandates/{reviewed.id}?lang=en")).text)
    assert "€100,000.00" in english and "Per resident in the first year" in english


async def test_the_council_drafts_adds_rows_fixes_errors_and_publishes(
    app: Starlette, client: httpx.AsyncClient, settings: Settings, council: Actor, reviewed: Mandate
) -> None:
    await browse_as(client, settings, council)
    page = await client.get(f"/mandates/{reviewed.id}")
    assert f'href="/mandates/{reviewed.id}/costs/new"' in page.text
    new = f"/mandates/{reviewed.id}/costs/new"
    token = await csrf(client, new)
    form = {
        "csrf_token": token,
        "rows": "5",
        "title": "Kosten der Bänke",
        "assumptions": "Preise *2026*.",
        **_row(0, "Bänke", "material", "one_off", "1.234,56", "Haushalt"),
        **_row(1, "", "other", "one_off", ""),
        **_row(2, "Pflege", "operation", "per_year", "zwölf"),
        **_row(3, "Aufstellen", "construction", "one_off", "-5"),
    }
    # "Add rows" saves nothing and keeps what was typed.
    more = await client.post(new, data={**form, "add_rows": "1"})
    assert more.status_code == 200
    assert more.text.count('name="items-9-description"') == 1
    assert 'value="1.234,56"' in more.text
    assert await CostAnalysis.all().count() == 0

    refused = await client.post(new, data={**form, "save": "1"})
    assert refused.status_code == 422
    assert 'id="items-2-amount-error"' in refused.text
    assert 'id="items-3-amount-error"' in refused.text
    assert 'id="items-0-amount-error"' not in refused.text
    assert "Betrag in Euro" in refused.text
    assert 'value="Pflege"' in refused.text
    assert await CostAnalysis.all().count() == 0

    form.update(_row(2, "Pflege", "operation", "per_year", "300"))
    form.update(_row(3, "Aufstellen", "construction", "one_off", "50"))
    saved = await client.post(new, data={**form, "save": "1"})
    assert saved.status_code == 303, saved.text
    analysis = await CostAnalysis.get()
    assert saved.headers["location"] == f"/mandates/{reviewed.id}/costs/{analysis.id}"
    revision = await CostRevision.get(analysis_id=analysis.id)
    assert [i["amount_cents"] for i in revision.items] == [123_456, 30_000, 5_000]
    assert revision.one_off_cents == 128_456 and revision.per_year_cents == 30_000

    detail = await client.get(saved.headers["location"])
    assert "Entwurf, nicht öffentlich" in detail.text
    # The public does not see the draft.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as anonymous:
        assert (await anonymous.get(saved.headers["location"])).status_code == 404
        assert "Kosten der Bänke" not in (await anonymous.get(f"/mandates/{reviewed.id}")).text

    published = await client.post(
        f"/mandates/{reviewed.id}/costs/{analysis.id}/publish", data={"csrf_token": token}
    )
    assert published.status_code == 303
    assert (await CostAnalysis.get()).published_revision == 1

    # Editing shows the saved rows again, and saving makes revision 2.
    edit = await client.get(f"/mandates/{reviewed.id}/costs/{analysis.id}/edit")
    assert 'value="1234,56"' in edit.text and 'value="Aufstellen"' in edit.text
    rows = int(re.search(r'name="rows" value="(\d+)"', edit.text).group(1))  # type: ignore[union-attr]
    revised = {
        "csrf_token": token,
        "rows": str(rows),
        "title": "Kosten der Bänke",
        "assumptions": "Preise *2026*.",
        **_row(0, "Bänke", "material", "one_off", "1.500"),
        **_row(1, "Pflege", "operation", "per_year", "300"),
        "save": "1",
    }
    saved = await client.post(f"/mandates/{reviewed.id}/costs/{analysis.id}/edit", data=revised)
    assert saved.status_code == 303
    assert (await CostAnalysis.get()).revision == 2

    compared = await client.get(f"/mandates/{reviewed.id}/costs/{analysis.id}?from=1&to=2")
    text = _text(compared.text)
    assert "Änderungen von Revision 1 zu Revision 2" in text
    assert "Aufstellen" in text  # removed
    assert "von 1.234,56 € zu 1.500,00 €" in text


async def test_others_see_no_forms_and_cannot_post(
    client: httpx.AsyncClient, settings: Settings, council: Actor, reviewed: Mandate
) -> None:
    analysis = await cost_factories.cost_analysis(council, reviewed, publish=True)
    citizen = await factories.person()
    await browse_as(client, settings, citizen)
    page = await client.get(f"/mandates/{reviewed.id}/costs/{analysis.id}")
    assert page.status_code == 200
    assert "/edit" not in page.text and "/publish" not in page.text
    assert (await client.get(f"/mandates/{reviewed.id}/costs/new")).status_code == 403
    token = await csrf(client, f"/mandates/{reviewed.id}")
    posted = await client.post(
        f"/mandates/{reviewed.id}/costs/{analysis.id}/edit",
        data={"csrf_token": token, "rows": "1", "title": "x", "save": "1"},
    )
    assert posted.status_code == 403
    assert await CostRevision.all().count() == 1


async def test_the_short_link_of_the_timeline_leads_to_the_page(
    client: httpx.AsyncClient, council: Actor, reviewed: Mandate
) -> None:
    analysis = await cost_factories.cost_analysis(council, reviewed, publish=True)
    response = await client.get(f"/cost-analyses/{analysis.id}")
    assert response.status_code == 307
    assert response.headers["location"] == f"/mandates/{reviewed.id}/costs/{analysis.id}"
