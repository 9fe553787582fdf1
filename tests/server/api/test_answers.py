"""Departments, assignments and official answers through the JSON API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from participation.actors import Actor
from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Department, Municipality
from participation.permissions import Role
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import answers as answer_factories
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]

DEPARTMENTS = "/api/v1/municipalities/musterdorf/departments"


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town, name="Ada Admin")


@pytest.fixture
async def submitted(town: Municipality, citizen: Actor, council: Actor) -> Mandate:
    return await factories.mandate(citizen, town, Status.SUBMITTED, council=council)


# -- departments ---------------------------------------------------------------------------------


async def test_administrators_manage_departments_and_everyone_reads_them(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    made = await client.post(DEPARTMENTS, json={"name": "Tiefbauamt"}, headers=auth(admin))
    assert made.status_code == 201, made.text
    department = made.json()
    assert department["name"] == "Tiefbauamt" and department["retired"] is False
    await client.post(DEPARTMENTS, json={"name": "Bürgeramt"}, headers=auth(admin))
    listing = (await client.get(DEPARTMENTS)).json()
    assert [d["name"] for d in listing["items"]] == ["Bürgeramt", "Tiefbauamt"]
    assert listing["next"] is None
    first = (await client.get(f"{DEPARTMENTS}?limit=1")).json()
    assert len(first["items"]) == 1 and first["next"]
    rest = (await client.get(f"{DEPARTMENTS}?limit=1&cursor={first['next']}")).json()
    assert [d["name"] for d in rest["items"]] == ["Tiefbauamt"] and rest["next"] is None

    url = f"/api/v1/departments/{department['id']}"
    renamed = await client.patch(url, json={"name": "Straßenamt"}, headers=auth(admin))
    assert renamed.status_code == 200 and renamed.json()["name"] == "Straßenamt"
    retired = await client.patch(url, json={"retired": True}, headers=auth(admin))
    assert retired.json()["retired"] is True and retired.json()["retired_at"]
    listing = (await client.get(DEPARTMENTS)).json()
    assert {d["name"]: d["retired"] for d in listing["items"]} == {
        "Bürgeramt": False,
        "Straßenamt": True,
    }


async def test_bad_department_input_is_a_problem_naming_the_field(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    await client.post(DEPARTMENTS, json={"name": "Bauamt"}, headers=auth(admin))
    for body in ({"name": ""}, {"name": "  "}, {"name": "x" * 121}, {"name": "bauamt"}, {}):
        response = await client.post(DEPARTMENTS, json=body, headers=auth(admin))
        assert_problem(response, 422, {"name"})
    department = await Department.get(name="Bauamt")
    patch = await client.patch(
        f"/api/v1/departments/{department.id}", json={"name": None}, headers=auth(admin)
    )
    assert_problem(patch, 422, {"name"})
    assert await Department.all().count() == 1
    assert_problem(await client.get("/api/v1/municipalities/nirgendwo/departments"), 404)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "council", "admin elsewhere"])
async def test_only_administrators_add_or_change_departments(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth, who: str
) -> None:
    department = await answer_factories.department(town, "Bauamt")
    headers: dict[str, str] = {}
    if who == "citizen":
        headers = auth(await factories.person())
    elif who == "council":
        headers = auth(await factories.person(role=Role.COUNCIL, municipality=town))
    elif who == "admin elsewhere":
        other = await factories.municipality("anderswo")
        headers = auth(await factories.person(role=Role.ADMIN, municipality=other))
    expected = 401 if who == "anonymous" else 403
    created = await client.post(DEPARTMENTS, json={"name": "Neu"}, headers=headers)
    assert_problem(created, expected)
    changed = await client.patch(
        f"/api/v1/departments/{department.id}", json={"retired": True}, headers=headers
    )
    assert_problem(changed, expected)
    assert [d.name for d in await Department.all()] == ["Bauamt"]


# -- assignment ----------------------------------------------------------------------------------


async def test_assigning_shows_on_the_mandate_by_name_and_role(
    client: httpx.AsyncClient, submitted: Mandate, council: Actor, auth: Auth, town: Municipality
) -> None:
    roads = await answer_factories.department(town, "Tiefbauamt")
    response = await client.put(
        f"/api/v1/mandates/{submitted.id}/assignment",
        json={"department_id": roads.id, "responsible_user_id": council.user_id},
        headers=auth(council),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "mandate_id": submitted.id,
        "department": {"id": roads.id, "name": "Tiefbauamt"},
        "responsible": {"display_name": "Ratsmitglied", "role": "council"},
    }
    mandate = (await client.get(f"/api/v1/mandates/{submitted.id}")).json()
    assert mandate["department"] == {"id": roads.id, "name": "Tiefbauamt"}
    assert mandate["responsible"] == {"display_name": "Ratsmitglied", "role": "council"}
    assert "@" not in str(mandate["responsible"])
    timeline = (await client.get(f"/api/v1/mandates/{submitted.id}/timeline")).json()
    assert timeline["items"][-1]["kind"] == "assignment"
    listing = (await client.get("/api/v1/municipalities/musterdorf/mandates")).json()
    assert listing["items"][0]["department"]["name"] == "Tiefbauamt"


async def test_bad_assignments_name_the_field_and_store_nothing(
    client: httpx.AsyncClient, submitted: Mandate, council: Actor, citizen: Actor, auth: Auth
) -> None:
    other = await factories.municipality("anderswo")
    foreign = await answer_factories.department(other, "Bauamt Anderswo")
    url = f"/api/v1/mandates/{submitted.id}/assignment"
    cases = [
        ({"department_id": foreign.id}, {"department_id"}),
        ({"department_id": 0}, {"department_id"}),
        ({"department_id": "1"}, {"department_id"}),
        ({}, {"department_id"}),
    ]
    for body, fields in cases:
        assert_problem(await client.put(url, json=body, headers=auth(council)), 422, fields)
    mine = await answer_factories.department(await Municipality.get(slug="musterdorf"))
    without_role = {"department_id": mine.id, "responsible_user_id": citizen.user_id}
    response = await client.put(url, json=without_role, headers=auth(council))
    assert_problem(response, 422, {"responsible_user_id"})
    assert (await Mandate.get(id=submitted.id)).department_id is None
    assert not await TimelineEntry.filter(kind="assignment").exists()


# -- answers -------------------------------------------------------------------------------------


async def test_an_answer_is_listed_shown_on_the_mandate_and_on_the_timeline(
    client: httpx.AsyncClient, submitted: Mandate, council: Actor, auth: Auth
) -> None:
    url = f"/api/v1/mandates/{submitted.id}/responses"
    body = {
        "kind": "decision",
        "body": "Der Rat hat **zugestimmt**.",
        "council_paper_reference": "DS 12/2026",
        "council_paper_url": "https://ris.example.org/paper/12",
    }
    created = await client.post(url, json=body, headers=auth(council))
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["kind"] == "decision" and answer["role"] == "council"
    assert "<strong>zugestimmt</strong>" in answer["body_html"]
    assert answer["author"] == {"display_name": "Ratsmitglied"}
    assert answer["council_paper_url"] == "https://ris.example.org/paper/12"
    listing = (await client.get(url)).json()
    assert [a["id"] for a in listing["items"]] == [answer["id"]] and listing["next"] is None
    mandate = (await client.get(f"/api/v1/mandates/{submitted.id}")).json()
    assert mandate["status"] == "in_review"
    timeline = (await client.get(f"/api/v1/mandates/{submitted.id}/timeline")).json()
    assert [e["kind"] for e in timeline["items"][-2:]] == ["status", "response"]
    assert timeline["items"][-1]["data"]["council_paper_reference"] == "DS 12/2026"


async def test_answers_page_with_cursors(
    client: httpx.AsyncClient, submitted: Mandate, council: Actor, auth: Auth
) -> None:
    url = f"/api/v1/mandates/{submitted.id}/responses"
    for text in ("Eins.", "Zwei.", "Drei."):
        kind = "first_answer" if text == "Eins." else "update"
        await client.post(url, json={"kind": kind, "body": text}, headers=auth(council))
    first = (await client.get(f"{url}?limit=2")).json()
    assert [a["body"] for a in first["items"]] == ["Eins.", "Zwei."]
    rest = (await client.get(f"{url}?limit=2&cursor={first['next']}")).json()
    assert [a["body"] for a in rest["items"]] == ["Drei."] and rest["next"] is None
    assert_problem(await client.get(f"{url}?cursor=abc"), 422, {"cursor"})


async def test_bad_answers_are_problems_naming_the_field_and_nothing_is_stored(
    client: httpx.AsyncClient, submitted: Mandate, council: Actor, auth: Auth
) -> None:
    url = f"/api/v1/mandates/{submitted.id}/responses"
    cases = [
        ({"kind": "first_answer", "body": ""}, {"body"}),
        ({"kind": "first_answer", "body": "   "}, {"body"}),
        ({"kind": "first_answer", "body": "x" * 20_001}, {"body"}),
        ({"kind": "verdict", "body": "Nein."}, {"kind"}),
        (
            {"kind": "decision", "body": "Ja.", "council_paper_url": "javascript:alert(1)"},
            {"council_paper_url"},
        ),
        (
            {"kind": "decision", "body": "Ja.", "council_paper_url": "https://user:pw@ris.example"},
            {"council_paper_url"},
        ),
        (
            {"kind": "decision", "body": "Ja.", "council_paper_reference": "V" * 65},
            {"council_paper_reference"},
        ),
        ({"body": "Ja."}, {"kind"}),
    ]
    for body, fields in cases:
        response = await client.post(url, json=body, headers=auth(council))
        assert_problem(response, 422, fields)
    assert await OfficialResponse.all().count() == 0
    stored = await Mandate.get(id=submitted.id)
    assert stored.first_answer_at is None and stored.status == Status.SUBMITTED


async def test_a_mandate_that_has_not_reached_the_council_is_a_conflict(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor, auth: Auth
) -> None:
    collecting = await factories.mandate(citizen, town, Status.COLLECTING)
    response = await client.post(
        f"/api/v1/mandates/{collecting.id}/responses",
        json={"kind": "first_answer", "body": "Zu früh."},
        headers=auth(council),
    )
    assert_problem(response, 409)


PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin"]


@pytest.mark.parametrize("who", PEOPLE)
async def test_the_permission_matrix_of_answering_and_assigning(
    client: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    council: Actor,
    submitted: Mandate,
    auth: Auth,
    who: str,
) -> None:
    people: dict[str, Actor | None] = {
        "anonymous": None,
        "citizen": await factories.person(),
        "initiator": citizen,
        "council": council,
        "admin": await factories.person(role=Role.ADMIN, municipality=town),
    }
    if who == "council elsewhere":
        other = await factories.municipality("anderswo")
        people[who] = await factories.person(role=Role.COUNCIL, municipality=other)
    actor = people[who]
    headers = auth(actor) if actor else {}
    roads = await answer_factories.department(town)
    expected = {"anonymous": 401, "council": None, "admin": None}.get(who, 403)
    answered = await client.post(
        f"/api/v1/mandates/{submitted.id}/responses",
        json={"kind": "first_answer", "body": "Eingegangen."},
        headers=headers,
    )
    assigned = await client.put(
        f"/api/v1/mandates/{submitted.id}/assignment",
        json={"department_id": roads.id},
        headers=headers,
    )
    if expected is None:
        assert answered.status_code == 201 and assigned.status_code == 200
        return
    assert_problem(answered, expected)
    assert_problem(assigned, expected)
    assert await OfficialResponse.all().count() == 0
    assert (await Mandate.get(id=submitted.id)).department_id is None


async def test_the_document_declares_the_new_operations(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    paths = document["paths"]
    assert set(paths["/api/v1/municipalities/{slug}/departments"]) >= {"get", "post"}
    assert "patch" in paths["/api/v1/departments/{department_id}"]
    assert "put" in paths["/api/v1/mandates/{mandate_id}/assignment"]
    assert set(paths["/api/v1/mandates/{mandate_id}/responses"]) >= {"get", "post"}
    schemas = document["components"]["schemas"]
    assert schemas["ResponseIn"]["properties"]["kind"] == {
        "$ref": "#/components/schemas/ResponseKind"
    }
    assert set(schemas["ResponseKind"]["enum"]) == {"first_answer", "update", "decision"}
    assert "department" in schemas["MandateOut"]["properties"]
