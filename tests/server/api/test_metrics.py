"""The public figures and their comparison through the API: shapes, caching, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from participation.municipalities.models import Department, Municipality
from tests import factories
from tests.factories.mandates import time_travel
from tests.factories.metric_cells import cells
from tests.support import assert_problem

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now() -> Iterator[None]:
    with time_travel(NOW):
        yield


def _metrics(town: Municipality) -> str:
    return f"/api/v1/municipalities/{town.slug}/metrics"


async def test_the_dashboard_gives_every_figure_with_its_cases(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await cells(town, "promise_kept", "2026-11", {1: 8, 0: 2})
    await cells(town, "rating", "2026-11", {4: 1})
    response = await client.get(_metrics(town), params={"period": "2026-11"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert (body["municipality"], body["period"], body["department"]) == (
        "musterdorf",
        "2026-11",
        None,
    )
    by_id = {f["figure"]: f for f in body["figures"] if f["service_type"] is None}
    assert by_id["promise_kept_share"] == {
        "figure": "promise_kept_share",
        "value": 0.8,
        "n": 10,
        "interval": [0.4902, 0.9433],
        "comparable": True,
        "unit": "share",
        "service_type": None,
        "p90": None,
        "distribution": None,
        "per_1000": None,
        "definition_url": "/figures/definitions#promise_kept_share",
    }
    rating = by_id["outcome_satisfaction"]
    assert (rating["value"], rating["n"], rating["comparable"], rating["interval"]) == (
        4.0,
        1,
        False,
        None,
    )
    assert rating["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert body["trends"]["promise_kept_share"][-1] == {"month": "2026-11", "value": 0.8, "n": 10}


async def test_the_period_defaults_to_the_last_twelve_months(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    body = (await client.get(_metrics(town))).json()
    assert body["period"] == "last-12-months"
    assert all(f["value"] is None and f["n"] == 0 for f in body["figures"])


async def test_an_empty_department_is_the_whole_municipality(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    body = (await client.get(_metrics(town), params={"department": ""})).json()
    assert body["department"] is None
    assert "signatures" in {f["figure"] for f in body["figures"]}


async def test_a_department_s_figures(client: httpx.AsyncClient, town: Municipality) -> None:
    roads = await Department.create(municipality=town, name="Tiefbau")
    await cells(town, "completion_days", "2026-11", {12: 1}, department_id=roads.id)
    response = await client.get(_metrics(town), params={"period": "2026", "department": roads.id})
    body = response.json()
    assert body["department"] == "Tiefbau"
    completion = next(f for f in body["figures"] if f["figure"] == "completion_days")
    assert (completion["value"], completion["n"]) == (12.0, 1)
    assert "signatures" not in {f["figure"] for f in body["figures"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2027-01"}, "period"),
        ({"period": "soon"}, "period"),
        ({"period": "x" * 17}, "period"),
        ({"department": "12345"}, "department"),
        ({"department": "Tiefbau"}, "department"),
    ],
)
async def test_bad_dashboard_input_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, town: Municipality, params: dict[str, str], field: str
) -> None:
    assert_problem(await client.get(_metrics(town), params=params), 422, {field})


async def test_a_department_of_another_municipality_is_refused(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    other = await factories.municipality("nachbarort", name="Nachbarort")
    theirs = await Department.create(municipality=other, name="Tiefbau")
    response = await client.get(_metrics(town), params={"department": theirs.id})
    assert_problem(response, 422, {"department"})


async def test_an_unknown_municipality_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/municipalities/nirgendwo/metrics")
    assert_problem(response, 404)


async def test_the_comparison_ranks_municipalities_with_enough_cases(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    other = await factories.municipality("nachbarort", name="Nachbarort")
    await cells(town, "promise_kept", "2026-10", {1: 6, 0: 4})
    await cells(other, "promise_kept", "2026-11", {1: 9, 0: 1})
    response = await client.get(
        "/api/v1/metrics/compare", params={"figure": "promise_kept_share", "period": "2026-Q4"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert (body["figure"], body["period"], body["service_type"], body["unit"]) == (
        "promise_kept_share",
        "2026-Q4",
        None,
        "share",
    )
    assert body["definition_url"] == "/figures/definitions#promise_kept_share"
    assert [(r["municipality"], r["value"], r["n"], r["rank"]) for r in body["rows"]] == [
        ("nachbarort", 0.9, 10, 1),
        ("musterdorf", 0.6, 10, 2),
    ]
    assert body["rows"][0]["interval"] == [0.5958, 0.9821]
    assert body["rows"][0]["name"] == "Nachbarort" and body["rows"][0]["comparable"]


async def test_a_service_type_is_compared_alone(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await cells(town, "service_rating", "2026-11", {5: 1}, service_type="ummeldung")
    response = await client.get(
        "/api/v1/metrics/compare",
        params={"figure": "service_satisfaction", "service_type": "ummeldung"},
    )
    body = response.json()
    assert body["service_type"] == "ummeldung"
    assert [(r["value"], r["n"], r["rank"]) for r in body["rows"]] == [(5.0, 1, None)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "figure"),
        ({"figure": "fastest_town"}, "figure"),
        ({"figure": "signatures", "period": "2027"}, "period"),
        ({"figure": "signatures", "period": "2026-Q5"}, "period"),
        ({"figure": "signatures", "service_type": "ummeldung"}, "service_type"),
        ({"figure": "service_duration_days", "service_type": "nie_gehoert"}, "service_type"),
    ],
)
async def test_bad_comparison_input_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, town: Municipality, params: dict[str, str], field: str
) -> None:
    response = await client.get("/api/v1/metrics/compare", params=params)
    assert_problem(response, 422, {field})


async def test_both_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    dashboard = paths["/api/v1/municipalities/{slug}/metrics"]["get"]
    assert {p["name"] for p in dashboard["parameters"]} >= {"slug", "period", "department"}
    compare = paths["/api/v1/metrics/compare"]["get"]
    assert {p["name"] for p in compare["parameters"]} == {"figure", "period", "service_type"}
    assert "security" not in compare or compare["security"] == []
