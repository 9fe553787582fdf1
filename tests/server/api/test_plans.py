"""Action plans through the JSON API: measures, their moves, milestones, and the mandate's
progress; bad input and other municipalities refused with nothing stored; the permission
matrix of every plan action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from participation.plans.models import Measure, MeasureMilestone
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import plans
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]

VALID = {
    "title": "Zehn Bänke aufstellen",
    "description": "Am **Marktplatz**.",
    "planned_start": "2027-03-01",
    "planned_end": "2027-05-31",
    "weight": 2,
}


@pytest.fixture
async def accepted(town: Municipality, citizen: Actor, council: Actor) -> Mandate:
    return await factories.mandate(citizen, town, Status.ACCEPTED, council=council)


async def _nothing_stored(mandate: Mandate) -> None:
    assert await Measure.filter(mandate_id=mandate.id).count() == 0
    assert (
        await TimelineEntry.filter(mandate_id=mandate.id, kind__in=["measure", "progress"]).count()
        == 0
    )


async def test_the_council_adds_a_measure_and_the_public_reads_the_plan(
    client: httpx.AsyncClient, accepted: Mandate, town: Municipality, council: Actor, auth: Auth
) -> None:
    office = await plans.department(town, "Grünflächenamt")
    costs = await plans.cost_analysis(accepted, one_off_cents=120_000, per_year_cents=5_000)
    response = await client.post(
        f"/api/v1/mandates/{accepted.id}/measures",
        json={**VALID, "department_id": office.id, "cost_analysis_id": costs.id},
        headers=auth(council),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Zehn Bänke aufstellen"
    assert body["status"] == "planned" and body["progress"] == 0 and body["weight"] == 2
    assert body["department"] == {"id": office.id, "name": "Grünflächenamt"}
    assert body["planned_start"] == "2027-03-01" and body["planned_end"] == "2027-05-31"
    assert "<strong>Marktplatz</strong>" in body["description_html"]
    assert body["cost"] == {
        "one_off_cents": 120_000,
        "per_year_cents": 5_000,
        "total_cents": 125_000,
        "currency": "EUR",
        "cost_analysis_ids": [costs.id],
    }
    assert body["allowed_transitions"] == ["dropped", "in_progress"]
    assert body["milestones"] == [] and body["reason"] is None
    listing = await client.get(f"/api/v1/mandates/{accepted.id}/measures")
    assert listing.status_code == 200
    assert [m["id"] for m in listing.json()["items"]] == [body["id"]]
    assert listing.json()["next"] is None
    mandate = (await client.get(f"/api/v1/mandates/{accepted.id}")).json()
    assert mandate["progress"] == 0


async def test_progress_reports_move_the_mandates_progress(
    client: httpx.AsyncClient, accepted: Mandate, council: Actor, auth: Auth
) -> None:
    ids = []
    for weight in (3, 1):
        created = await client.post(
            f"/api/v1/mandates/{accepted.id}/measures",
            json={**VALID, "weight": weight},
            headers=auth(council),
        )
        ids.append(created.json()["id"])
    started = await client.patch(
        f"/api/v1/measures/{ids[0]}",
        json={"status": "in_progress", "progress": 50},
        headers=auth(council),
    )
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_progress" and started.json()["progress"] == 50
    assert (await client.get(f"/api/v1/mandates/{accepted.id}")).json()["progress"] == 38
    done = await client.patch(
        f"/api/v1/measures/{ids[0]}", json={"status": "done"}, headers=auth(council)
    )
    assert done.json()["progress"] == 100 and done.json()["allowed_transitions"] == []
    dropped = await client.patch(
        f"/api/v1/measures/{ids[1]}",
        json={"status": "dropped", "reason": "Kein Platz."},
        headers=auth(council),
    )
    assert dropped.json()["reason"] == "Kein Platz."
    assert (await client.get(f"/api/v1/mandates/{accepted.id}")).json()["progress"] == 100
    timeline = (await client.get(f"/api/v1/mandates/{accepted.id}/timeline")).json()["items"]
    progress = [e["data"]["progress"] for e in timeline if e["kind"] == "progress"]
    assert progress == [0, 38, 75, 100]


async def test_a_move_that_does_not_exist_is_a_409_listing_the_moves_that_do(
    client: httpx.AsyncClient, accepted: Mandate, council: Actor, auth: Auth
) -> None:
    measure = await plans.measure(council, accepted)
    response = await client.patch(
        f"/api/v1/measures/{measure.id}", json={"status": "done"}, headers=auth(council)
    )
    body = assert_problem(response, 409)
    assert body["allowed_transitions"] == ["dropped", "in_progress"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"title": ""}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"planned_end": "2027-02-28"}, {"planned_end"}),
        ({"planned_start": "2027-02-30"}, {"planned_start"}),
        ({"planned_start": None}, {"planned_start"}),
        ({"weight": 0}, {"weight"}),
        ({"weight": 1001}, {"weight"}),
        ({"weight": 1.5}, {"weight"}),
        ({"weight": True}, {"weight"}),
        ({"description": "x" * 10_001}, {"description"}),
        ({"department_id": 2**31}, {"department_id"}),
        ({"colour": "grün"}, {"colour"}),
    ],
)
async def test_bad_measures_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    accepted: Mandate,
    council: Actor,
    auth: Auth,
    changes: dict[str, Any],
    fields: set[str],
) -> None:
    response = await client.post(
        f"/api/v1/mandates/{accepted.id}/measures", json={**VALID, **changes}, headers=auth(council)
    )
    assert_problem(response, 422, fields)
    await _nothing_stored(accepted)


async def test_a_department_or_cost_analysis_of_another_municipality_is_refused(
    client: httpx.AsyncClient, accepted: Mandate, council: Actor, auth: Auth
) -> None:
    elsewhere = await factories.municipality("anderswo", name="Anderswo")
    foreign_office = await plans.department(elsewhere)
    foreign_mandate = await factories.mandate(
        await factories.person(lives_in=elsewhere), elsewhere, Status.ACCEPTED
    )
    foreign_costs = await plans.cost_analysis(foreign_mandate, one_off_cents=1)
    response = await client.post(
        f"/api/v1/mandates/{accepted.id}/measures",
        json={**VALID, "department_id": foreign_office.id, "cost_analysis_id": foreign_costs.id},
        headers=auth(council),
    )
    assert_problem(response, 422, {"department_id", "cost_analysis_id"})
    await _nothing_stored(accepted)


async def test_a_measure_of_another_municipalitys_mandate_is_forbidden(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    elsewhere = await factories.municipality("anderswo", name="Anderswo")
    foreign = await factories.mandate(
        await factories.person(lives_in=elsewhere), elsewhere, Status.ACCEPTED
    )
    response = await client.post(
        f"/api/v1/mandates/{foreign.id}/measures", json=VALID, headers=auth(council)
    )
    assert_problem(response, 403)
    await _nothing_stored(foreign)
    measure = await plans.measure(await factories.council_member(elsewhere), foreign)
    response = await client.patch(
        f"/api/v1/measures/{measure.id}", json={"status": "in_progress"}, headers=auth(council)
    )
    assert_problem(response, 403)
    assert (await Measure.get(id=measure.id)).status == "planned"


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"progress": 101}, {"progress"}),
        ({"progress": -1}, {"progress"}),
        ({"progress": 50.5}, {"progress"}),
        ({"status": "finished"}, {"status"}),
        ({"status": "dropped"}, {"reason"}),
        ({}, {"body"}),
    ],
)
async def test_bad_updates_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    accepted: Mandate,
    council: Actor,
    auth: Auth,
    patch: dict[str, Any],
    fields: set[str],
) -> None:
    measure = await plans.measure(council, accepted)
    await client.patch(
        f"/api/v1/measures/{measure.id}",
        json={"status": "in_progress", "progress": 10},
        headers=auth(council),
    )
    response = await client.patch(
        f"/api/v1/measures/{measure.id}", json=patch, headers=auth(council)
    )
    assert_problem(response, 422, fields)
    stored = await Measure.get(id=measure.id)
    assert (stored.status, stored.progress) == ("in_progress", 10)


async def test_a_milestone_before_the_start_is_a_422_on_date(
    client: httpx.AsyncClient, accepted: Mandate, council: Actor, auth: Auth
) -> None:
    measure = await plans.measure(council, accepted, planned_start=date(2027, 3, 1))
    response = await client.post(
        f"/api/v1/measures/{measure.id}/milestones",
        json={"title": "Zu früh", "date": "2027-02-28"},
        headers=auth(council),
    )
    assert_problem(response, 422, {"date"})
    assert not await MeasureMilestone.exists()
    response = await client.post(
        f"/api/v1/measures/{measure.id}/milestones",
        json={"title": "Aufträge vergeben", "date": "2099-03-15", "description": "*bald*"},
        headers=auth(council),
    )
    assert response.status_code == 201, response.text
    (milestone,) = response.json()["milestones"]
    assert milestone["title"] == "Aufträge vergeben" and milestone["date"] == "2099-03-15"
    assert milestone["reached_at"] is None and "<em>bald</em>" in milestone["description_html"]


async def test_measures_of_unknown_or_draft_mandates_are_not_found(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    draft = await factories.mandate(citizen, town, Status.DRAFT)
    assert_problem(await client.get(f"/api/v1/mandates/{draft.id}/measures"), 404)
    assert_problem(await client.get("/api/v1/mandates/999999/measures"), 404)
    response = await client.patch(
        "/api/v1/measures/999999", json={"status": "in_progress"}, headers=auth(citizen)
    )
    assert_problem(response, 404)


async def test_the_list_pages_with_a_cursor(
    client: httpx.AsyncClient, accepted: Mandate, council: Actor
) -> None:
    made = [await plans.measure(council, accepted) for _ in range(3)]
    first = (await client.get(f"/api/v1/mandates/{accepted.id}/measures?limit=2")).json()
    assert [m["id"] for m in first["items"]] == [m.id for m in made[:2]]
    rest = (
        await client.get(f"/api/v1/mandates/{accepted.id}/measures?limit=2&cursor={first['next']}")
    ).json()
    assert [m["id"] for m in rest["items"]] == [made[2].id] and rest["next"] is None


async def test_the_endpoints_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/mandates/{mandate_id}/measures"]) >= {"get", "post"}
    assert "patch" in paths["/api/v1/measures/{measure_id}"]
    assert "post" in paths["/api/v1/measures/{measure_id}/milestones"]


# -- the permission matrix ----------------------------------------------------------------------

PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin"]
Act = Callable[[httpx.AsyncClient, dict[str, str], Mandate, Actor], Awaitable[int]]


async def _person(who: str, town: Municipality, initiator: Actor) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return initiator
    if who == "council":
        return await factories.council_member(town)
    if who == "admin":
        return await factories.person(role=Role.ADMIN, municipality=town)
    if who == "council elsewhere":
        other = await factories.municipality("anderswo", name="Anderswo")
        return await factories.person(role=Role.COUNCIL, municipality=other)
    return await factories.person()


async def create(client: httpx.AsyncClient, h: dict[str, str], m: Mandate, c: Actor) -> int:
    return (
        await client.post(f"/api/v1/mandates/{m.id}/measures", json=VALID, headers=h)
    ).status_code


async def update(client: httpx.AsyncClient, h: dict[str, str], m: Mandate, c: Actor) -> int:
    measure = await plans.measure(c, m)
    body = {"status": "in_progress", "progress": 5}
    return (await client.patch(f"/api/v1/measures/{measure.id}", json=body, headers=h)).status_code


async def milestone(client: httpx.AsyncClient, h: dict[str, str], m: Mandate, c: Actor) -> int:
    measure = await plans.measure(c, m)
    body = {"title": "Baubeginn", "date": "2099-01-01"}
    return (
        await client.post(f"/api/v1/measures/{measure.id}/milestones", json=body, headers=h)
    ).status_code


EXPECTED = {
    "anonymous": 401,
    "citizen": 403,
    "initiator": 403,
    "council": None,
    "council elsewhere": 403,
    "admin": None,
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("act", "success"), [(create, 201), (update, 200), (milestone, 201)])
async def test_permission_matrix(
    client: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    council: Actor,
    auth: Auth,
    who: str,
    act: Act,
    success: int,
) -> None:
    mandate = await factories.mandate(citizen, town, Status.IN_PROGRESS, council=council)
    person = await _person(who, town, citizen)
    headers = auth(person) if person else {}
    expected = EXPECTED[who] or success
    assert await act(client, headers, mandate, council) == expected
