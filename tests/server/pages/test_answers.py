"""The council's answer and assignment forms and the departments section, as a browser
without JavaScript meets them; the public answers section as citizens see it."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Department, Municipality
from participation.permissions import Role
from participation.timeline.models import TimelineEntry
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import answers as answer_factories

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=3)


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.person(
        name="Rita Rat", email="rita@example.org", role=Role.COUNCIL, municipality=town
    )


@pytest.fixture
async def submitted(town: Municipality, council: Actor) -> Mandate:
    initiator = await factories.person(name="Ina Initiatorin")
    return await factories.mandate(initiator, town, Status.SUBMITTED, council=council)


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def _answers_section(html: str) -> str:
    match = re.search(r'<section id="answers".*?</section>', html, re.DOTALL)
    assert match, html
    return match.group(0)


async def test_the_council_assigns_and_answers_through_forms_and_citizens_see_it(
    client: httpx.AsyncClient,
    town: Municipality,
    council: Actor,
    submitted: Mandate,
    settings: Settings,
) -> None:
    roads = await answer_factories.department(town, "Tiefbauamt")
    anonymous = await client.get(f"/mandates/{submitted.id}")
    section = _answers_section(anonymous.text)
    assert "Offizielle Antworten" in section and "data-live" in section
    assert "Noch keine offizielle Antwort." in section
    assert f'action="/mandates/{submitted.id}/responses"' not in anonymous.text

    await _browse_as(client, settings, council.user_id)
    page = await client.get(f"/mandates/{submitted.id}")
    assert f'<option value="{roads.id}"' in page.text
    assert f'<option value="{council.user_id}"' in page.text and "Rita Rat" in page.text
    assert "rita@example.org" not in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    assigned = await client.post(
        f"/mandates/{submitted.id}/assignment",
        data={
            "csrf_token": token,
            "department_id": str(roads.id),
            "responsible_user_id": str(council.user_id),
        },
    )
    assert assigned.status_code == 303
    assert assigned.headers["location"] == f"/mandates/{submitted.id}#answers"
    answered = await client.post(
        f"/mandates/{submitted.id}/responses",
        data={
            "csrf_token": token,
            "kind": "first_answer",
            "body": "Wir **prüfen** den Vorschlag.",
            "council_paper_reference": "DS 7/2026",
            "council_paper_url": "https://ris.example.org/paper/7",
        },
    )
    assert answered.status_code == 303

    client.cookies.clear()
    public = await client.get(f"/mandates/{submitted.id}")
    section = _answers_section(public.text)
    assert "Zugewiesen an Tiefbauamt; verantwortlich: Rita Rat (Ratsmitglied)." in section
    assert "Erste Antwort" in section and "<strong>prüfen</strong>" in section
    assert "von Ratsmitglied, Tiefbauamt" in section
    assert 'href="https://ris.example.org/paper/7"' in section and "Drucksache DS 7/2026" in section
    assert "rita@example.org" not in public.text
    timeline = public.text[public.text.index('id="timeline"') :]
    assert "Offizielle Antwort: Erste Antwort" in timeline
    assert "Im Rahmen des Serviceversprechens beantwortet." in timeline
    english = await client.get(f"/mandates/{submitted.id}?lang=en")
    assert "Official answers" in english.text and "First answer" in english.text


async def test_form_mistakes_come_back_next_to_the_fields_and_nothing_is_stored(
    client: httpx.AsyncClient,
    town: Municipality,
    council: Actor,
    submitted: Mandate,
    settings: Settings,
) -> None:
    other = await factories.municipality("anderswo")
    foreign = await answer_factories.department(other, "Bauamt Anderswo")
    await answer_factories.department(town, "Tiefbauamt")
    await _browse_as(client, settings, council.user_id)
    token = await _csrf(client, f"/mandates/{submitted.id}?lang=en")
    empty = await client.post(
        f"/mandates/{submitted.id}/responses",
        data={
            "csrf_token": token,
            "kind": "first_answer",
            "body": "  ",
            "council_paper_url": "javascript:alert(1)",
            "council_paper_reference": "DS 9",
        },
    )
    assert empty.status_code == 422
    assert (
        'id="answer-body-error"' in empty.text
        and 'id="answer-council_paper_url-error"' in empty.text
    )
    assert 'aria-invalid="true"' in empty.text
    assert 'value="DS 9"' in empty.text
    assert "Write the answer." in empty.text
    wrong = await client.post(
        f"/mandates/{submitted.id}/assignment",
        data={"csrf_token": token, "department_id": str(foreign.id), "responsible_user_id": "x"},
    )
    assert wrong.status_code == 422
    assert 'id="assign-department_id-error"' in wrong.text
    assert 'id="assign-responsible_user_id-error"' in wrong.text
    assert await OfficialResponse.all().count() == 0
    stored = await Mandate.get(id=submitted.id)
    assert stored.department_id is None and stored.status == Status.SUBMITTED
    assert not await TimelineEntry.filter(kind__in=["assignment", "response"]).exists()


async def test_citizens_and_other_councils_cannot_post_the_forms(
    client: httpx.AsyncClient, town: Municipality, submitted: Mandate, settings: Settings
) -> None:
    other = await factories.municipality("anderswo")
    outsider = await factories.person(role=Role.COUNCIL, municipality=other)
    await _browse_as(client, settings, outsider.user_id)
    token = await _csrf(client, f"/mandates/{submitted.id}")
    refused = await client.post(
        f"/mandates/{submitted.id}/responses",
        data={"csrf_token": token, "kind": "first_answer", "body": "Hallo."},
    )
    assert refused.status_code == 403
    assert await OfficialResponse.all().count() == 0


async def test_administrators_manage_departments_on_their_page(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin")
    added = await client.post(
        "/m/musterdorf/admin/departments", data={"csrf_token": token, "name": "Tiefbauamt"}
    )
    assert added.status_code == 303
    department = await Department.get(name="Tiefbauamt")
    page = (await client.get("/m/musterdorf/admin")).text
    assert "Fachbereiche" in page and 'value="Tiefbauamt"' in page
    taken = await client.post(
        "/m/musterdorf/admin/departments", data={"csrf_token": token, "name": "tiefbauamt"}
    )
    assert taken.status_code == 422 and 'id="departments-name-error"' in taken.text
    assert 'value="tiefbauamt"' in taken.text
    blank = await client.post(
        "/m/musterdorf/admin/departments/rename",
        data={"csrf_token": token, "department_id": str(department.id), "name": " "},
    )
    assert blank.status_code == 422
    assert f'id="rename-department-{department.id}-error"' in blank.text
    renamed = await client.post(
        "/m/musterdorf/admin/departments/rename",
        data={"csrf_token": token, "department_id": str(department.id), "name": "Straßenamt"},
    )
    assert renamed.status_code == 303
    retired = await client.post(
        "/m/musterdorf/admin/departments/retire",
        data={"csrf_token": token, "department_id": str(department.id), "retired": "1"},
    )
    assert retired.status_code == 303
    stored = await Department.get(id=department.id)
    assert stored.name == "Straßenamt" and stored.retired_at is not None
    assert "Straßenamt wieder aufnehmen" in (await client.get("/m/musterdorf/admin")).text


async def test_a_department_of_another_municipality_cannot_be_changed_from_this_page(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    other = await factories.municipality("anderswo")
    foreign = await answer_factories.department(other, "Bauamt Anderswo")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin")
    response = await client.post(
        "/m/musterdorf/admin/departments/retire",
        data={"csrf_token": token, "department_id": str(foreign.id), "retired": "1"},
    )
    assert response.status_code == 404
    assert (await Department.get(id=foreign.id)).retired_at is None


async def test_the_section_waits_hidden_until_the_mandate_reaches_the_council(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    initiator = await factories.person()
    collecting = await factories.mandate(initiator, town, Status.COLLECTING)
    page = await client.get(f"/mandates/{collecting.id}")
    section = _answers_section(page.text)
    assert " hidden>" in section and "Offizielle Antworten" not in section
