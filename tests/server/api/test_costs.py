"""Cost analyses through the JSON API: drafting, revising, publishing, diffs, exports, who may."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from participation.actors import Actor
from participation.costs.models import CostAnalysis, CostRevision
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories
from tests.factories import costs as cost_factories
from tests.factories.costs import ITEMS
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]

BODY: dict[str, Any] = {
    "title": "Kosten des Radwegs",
    "items": ITEMS,
    "assumptions": "Preise von *2026*.",
}


@pytest.fixture
async def reviewed(town: Municipality, citizen: Actor, council: Actor) -> Mandate:
    town.population = 12_000
    await town.save()
    return await factories.mandate(citizen, town, Status.IN_REVIEW, council=council)


async def _nothing_stored() -> None:
    assert await CostAnalysis.all().count() == 0
    assert await CostRevision.all().count() == 0
    assert await OutboxEvent.filter(name__startswith="costs:").count() == 0


async def test_the_council_drafts_revises_and_publishes(
    client: httpx.AsyncClient, council: Actor, citizen: Actor, reviewed: Mandate, auth: Auth
) -> None:
    created = await client.post(
        f"/api/v1/mandates/{reviewed.id}/cost-analyses", json=BODY, headers=auth(council)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft" and body["revision"] == 1
    assert body["one_off_cents"] == 10_000_000 and body["per_year_cents"] == 450_000
    assert body["per_resident_cents"] == 871 and body["currency"] == "EUR"
    assert body["author_role"] == "council"
    assert body["items"] == ITEMS
    assert "<em>2026</em>" in body["assumptions_html"]
    cid = body["id"]

    # A draft does not exist for the public.
    assert_problem(await client.get(f"/api/v1/cost-analyses/{cid}"), 404)
    assert_problem(await client.get(f"/api/v1/cost-analyses/{cid}", headers=auth(citizen)), 404)
    assert_problem(await client.get(f"/api/v1/cost-analyses/{cid}.csv"), 404)
    listed = await client.get(f"/api/v1/mandates/{reviewed.id}/cost-analyses")
    assert listed.json() == {"items": [], "next": None}

    published = await client.post(f"/api/v1/cost-analyses/{cid}/publish", headers=auth(council))
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    public = (await client.get(f"/api/v1/cost-analyses/{cid}")).json()
    assert public["revision"] == 1 and public["published_at"]

    revised = await client.put(
        f"/api/v1/cost-analyses/{cid}",
        json={**BODY, "items": [*ITEMS[:2], dict(ITEMS[2], amount_cents=600_000)]},
        headers=auth(council),
    )
    assert revised.status_code == 200, revised.text
    assert (revised.json()["revision"], revised.json()["status"]) == (2, "draft")
    assert revised.json()["per_year_cents"] == 600_000
    # The public keeps seeing revision 1 until revision 2 is published.
    public = (await client.get(f"/api/v1/cost-analyses/{cid}")).json()
    assert (public["revision"], public["per_year_cents"]) == (1, 450_000)
    revisions = (await client.get(f"/api/v1/cost-analyses/{cid}/revisions")).json()
    assert [r["number"] for r in revisions["items"]] == [1]
    own = (await client.get(f"/api/v1/cost-analyses/{cid}/revisions", headers=auth(council))).json()
    assert [(r["number"], r["status"]) for r in own["items"]] == [(2, "draft"), (1, "published")]
    assert_problem(await client.get(f"/api/v1/cost-analyses/{cid}/diff?from=1&to=2"), 404, {"to"})

    await client.post(f"/api/v1/cost-analyses/{cid}/publish", headers=auth(council))
    diff = (await client.get(f"/api/v1/cost-analyses/{cid}/diff?from=1&to=2")).json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert diff["added"] == [] and diff["removed"] == []
    assert [c["changes"] for c in diff["changed"]] == [
        {"amount_cents": {"before": 450_000, "after": 600_000}}
    ]
    assert diff["totals"]["per_year_cents"] == {
        "before": 450_000,
        "after": 600_000,
        "change": 150_000,
    }
    # Both published revisions stay public.
    first = (await client.get(f"/api/v1/cost-analyses/{cid}?revision=1")).json()
    assert first["per_year_cents"] == 450_000


async def test_measure_must_belong_to_the_mandate(
    client: httpx.AsyncClient,
    town: Municipality,
    council: Actor,
    citizen: Actor,
    reviewed: Mandate,
    auth: Auth,
) -> None:
    own = await cost_factories.measure(reviewed)
    other_mandate = await factories.mandate(citizen, town, Status.IN_REVIEW, council=council)
    foreign = await cost_factories.measure(other_mandate)
    url = f"/api/v1/mandates/{reviewed.id}/cost-analyses"
    for bad in (foreign.id, 999_999):
        refused = await client.post(url, json={**BODY, "measure_id": bad}, headers=auth(council))
        assert_problem(refused, 422, {"measure_id"})
    await _nothing_stored()
    ok = await client.post(url, json={**BODY, "measure_id": own.id}, headers=auth(council))
    assert ok.status_code == 201 and ok.json()["measure_id"] == own.id
    # PUT without measure_id keeps it; null detaches it.
    cid = ok.json()["id"]
    kept = await client.put(f"/api/v1/cost-analyses/{cid}", json=BODY, headers=auth(council))
    assert kept.json()["measure_id"] == own.id
    detached = await client.put(
        f"/api/v1/cost-analyses/{cid}", json={**BODY, "measure_id": None}, headers=auth(council)
    )
    assert detached.json()["measure_id"] is None


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        (-1, "items[1].amount_cents"),
        (1.5, "items[1].amount_cents"),
        (10**12 + 1, "items[1].amount_cents"),
        (True, "items[1].amount_cents"),
        ("100", "items[1].amount_cents"),
    ],
)
async def test_bad_amounts_are_named_and_nothing_is_stored(
    client: httpx.AsyncClient,
    council: Actor,
    reviewed: Mandate,
    auth: Auth,
    amount: Any,
    field: str,
) -> None:
    items = [ITEMS[0], dict(ITEMS[1], amount_cents=amount)]
    response = await client.post(
        f"/api/v1/mandates/{reviewed.id}/cost-analyses",
        json={**BODY, "items": items},
        headers=auth(council),
    )
    assert_problem(response, 422, {field})
    await _nothing_stored()


async def test_every_bad_item_field_is_named(
    client: httpx.AsyncClient, council: Actor, reviewed: Mandate, auth: Auth
) -> None:
    items = [dict(ITEMS[0], category="catering"), dict(ITEMS[1], kind="monthly"), 7]
    response = await client.post(
        f"/api/v1/mandates/{reviewed.id}/cost-analyses",
        json={**BODY, "items": items},
        headers=auth(council),
    )
    assert_problem(response, 422, {"items[0].category", "items[1].kind", "items[2]"})
    await _nothing_stored()


async def test_a_mandate_still_collecting_takes_no_analysis(
    client: httpx.AsyncClient, town: Municipality, council: Actor, citizen: Actor, auth: Auth
) -> None:
    collecting = await factories.mandate(citizen, town, Status.COLLECTING)
    response = await client.post(
        f"/api/v1/mandates/{collecting.id}/cost-analyses", json=BODY, headers=auth(council)
    )
    assert_problem(response, 409)
    await _nothing_stored()


async def test_csv_and_json_exports(
    client: httpx.AsyncClient, council: Actor, reviewed: Mandate, auth: Auth
) -> None:
    items = [
        *ITEMS,
        {
            "description": "=1+1",
            "category": "other",
            "kind": "one_off",
            "amount_cents": 5,
            "funding_source": "@x",
        },
    ]
    analysis = await cost_factories.cost_analysis(council, reviewed, items=items, publish=True)
    response = await client.get(f"/api/v1/cost-analyses/{analysis.id}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="cost-analysis-{analysis.id}-r1.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "position",
        "description",
        "category",
        "kind",
        "amount_cents",
        "amount_eur",
        "funding_source",
    ]
    assert rows[1] == [
        "1",
        "Planung durch ein Ingenieurbüro",
        "services",
        "one_off",
        "1200000",
        "12000.00",
        "Haushalt 2027",
    ]
    assert rows[3][3] == "per_year"
    assert rows[4][1] == "'=1+1" and rows[4][6] == "'@x"
    assert rows[5] == ["", "total_one_off", "", "", "10000005", "100000.05", ""]
    assert rows[6] == ["", "total_per_year", "", "", "450000", "4500.00", ""]
    assert rows[7][1] == "per_resident_first_year" and rows[7][4] == "871"

    exported = await client.get(f"/api/v1/cost-analyses/{analysis.id}.json")
    assert exported.headers["content-disposition"].startswith("attachment;")
    data = exported.json()
    assert (
        data["items"] == items and data["one_off_cents"] == 10_000_005 and data["currency"] == "EUR"
    )


# -- who may -------------------------------------------------------------------------------

PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin"]
WRITES = {"council": True, "admin": True}


async def _someone(who: str, town: Municipality, initiator: Actor) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return initiator
    if who == "council elsewhere":
        other = await factories.municipality()
        return await factories.person(role=Role.COUNCIL, municipality=other, lives_in=other)
    if who in ("council", "admin"):
        return await factories.person(role=Role(who), municipality=town)
    return await factories.person()


@pytest.mark.parametrize("who", PEOPLE)
async def test_permission_matrix(
    client: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    council: Actor,
    reviewed: Mandate,
    auth: Auth,
    who: str,
) -> None:
    person = await _someone(who, town, citizen)
    headers = auth(person) if person else {}
    allowed = WRITES.get(who, False)
    denied = 401 if person is None else 403

    create = await client.post(
        f"/api/v1/mandates/{reviewed.id}/cost-analyses", json=BODY, headers=headers
    )
    assert create.status_code == (201 if allowed else denied), create.text

    draft = await cost_factories.cost_analysis(council, reviewed)
    seen = await client.get(f"/api/v1/cost-analyses/{draft.id}", headers=headers)
    assert seen.status_code == (200 if allowed else 404)
    publish = await client.post(f"/api/v1/cost-analyses/{draft.id}/publish", headers=headers)
    assert publish.status_code == (200 if allowed else 401 if person is None else 404)

    public = await cost_factories.cost_analysis(council, reviewed, publish=True)
    assert (
        await client.get(f"/api/v1/cost-analyses/{public.id}", headers=headers)
    ).status_code == 200
    revise = await client.put(f"/api/v1/cost-analyses/{public.id}", json=BODY, headers=headers)
    assert revise.status_code == (200 if allowed else denied), revise.text
    republish = await client.post(f"/api/v1/cost-analyses/{public.id}/publish", headers=headers)
    assert republish.status_code == (200 if allowed else denied)
    expected_revisions = 2 if allowed else 1
    assert await CostRevision.filter(analysis_id=public.id).count() == expected_revisions
