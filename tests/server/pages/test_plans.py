"""The action plan on the mandate's page, as a browser without JavaScript meets it: the
progress bar with its number, measures and milestones, and the council's forms with their
errors shown next to the fields."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.plans import commands
from participation.plans.models import Measure, MeasureMilestone
from server.settings import Settings
from tests import factories
from tests.factories import plans
from tests.server.pages.test_votes import browse_as, csrf


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def council(town: Municipality) -> Actor:
    return await factories.council_member(town)


@pytest.fixture
async def mandate(town: Municipality, council: Actor) -> Mandate:
    initiator = await factories.person(lives_in=town)
    return await factories.mandate(
        initiator, town, Status.IN_PROGRESS, title="Mehr Bänke", council=council
    )


def _plan(html: str) -> str:
    match = re.search(r'<section id="plan".*?</section>', html, re.DOTALL)
    assert match, "no plan section"
    return match.group(0)


async def test_the_public_sees_the_plan_with_progress_measures_and_milestones(
    client: httpx.AsyncClient, town: Municipality, council: Actor, mandate: Mandate
) -> None:
    office = await plans.department(town, "Grünflächenamt")
    done = await plans.measure(
        council, mandate, title="Bänke <b>aufstellen</b>", department_id=office.id, weight=3
    )
    later = await plans.measure(council, mandate, title="Beleuchtung", weight=1)
    dropped = await plans.measure(council, mandate, title="Brunnen", weight=5)
    await commands.update_measure(council, done.id, status="in_progress", progress_percent=50)
    await commands.add_milestone(council, done.id, title="Fundamente", day=date(2027, 3, 15))
    await commands.update_measure(council, dropped.id, status="dropped", reason="Kein Wasser.")
    page = await client.get(f"/mandates/{mandate.id}")
    assert page.status_code == 200
    plan = _plan(page.text)
    assert "data-live" in plan
    assert 'aria-valuenow="38"' in plan and "38 %" in plan
    assert "Bänke &lt;b&gt;aufstellen&lt;/b&gt;" in plan and "<b>aufstellen" not in plan
    assert "Grünflächenamt" in plan and "In Umsetzung" in plan and "Gestrichen" in plan
    assert "1. März 2027" in plan and "30. September 2027" in plan
    assert "Kein Wasser." in plan
    assert '<th scope="col">Datum</th>' in plan and "Fundamente" in plan
    assert later.title in plan
    # Nobody signed in gets no council forms.
    assert "<form" not in plan
    english = await client.get(f"/mandates/{mandate.id}?lang=en")
    assert "Action plan" in english.text and "In progress" in _plan(english.text)
    # The timeline tells the same story.
    assert "Maßnahme in den Aktionsplan aufgenommen" in page.text
    assert "Fortschritt des Aktionsplans: 38 %" in page.text


async def test_a_mandate_still_collecting_has_no_plan_section(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    collecting = await factories.mandate(await factories.person(lives_in=town), town)
    page = await client.get(f"/mandates/{collecting.id}")
    assert page.status_code == 200 and 'id="plan"' not in page.text


async def test_the_council_adds_a_measure_without_javascript(
    client: httpx.AsyncClient, settings: Settings, council: Actor, mandate: Mandate
) -> None:
    await browse_as(client, settings, council)
    page = await client.get(f"/mandates/{mandate.id}")
    assert f'action="/mandates/{mandate.id}/measures"' in page.text
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(
        f"/mandates/{mandate.id}/measures",
        data={
            "csrf_token": token,
            "title": "Zehn Bänke",
            "description": "Am Markt.",
            "planned_start": "2027-03-01",
            "planned_end": "2027-04-30",
            "weight": "",
            "department_id": "",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/mandates/{mandate.id}#plan"
    measure = await Measure.get(mandate_id=mandate.id)
    assert measure.title == "Zehn Bänke" and measure.weight is None
    plan = _plan((await client.get(f"/mandates/{mandate.id}")).text)
    assert "Zehn Bänke" in plan and f'action="/measures/{measure.id}/update"' in plan


async def test_a_bad_measure_form_comes_back_with_the_errors_next_to_the_fields(
    client: httpx.AsyncClient, settings: Settings, council: Actor, mandate: Mandate
) -> None:
    await browse_as(client, settings, council)
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(
        f"/mandates/{mandate.id}/measures",
        data={
            "csrf_token": token,
            "title": "Zehn Bänke",
            "planned_start": "2027-05-01",
            "planned_end": "2027-04-30",
            "weight": "viel",
        },
    )
    assert response.status_code == 422
    assert 'id="new-measure-planned_end-error"' in response.text
    assert "Das geplante Ende darf nicht vor dem geplanten Beginn liegen." in response.text
    assert 'id="new-measure-weight-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    # What was typed is kept.
    assert 'value="Zehn Bänke"' in response.text and 'value="viel"' in response.text
    assert not await Measure.exists()


async def test_progress_is_reported_and_a_bad_report_keeps_the_measure(
    client: httpx.AsyncClient, settings: Settings, council: Actor, mandate: Mandate
) -> None:
    measure = await plans.measure(council, mandate)
    await browse_as(client, settings, council)
    token = await csrf(client, f"/mandates/{mandate.id}")
    bad = await client.post(
        f"/measures/{measure.id}/update",
        data={"csrf_token": token, "status": "in_progress", "progress": "150", "reason": ""},
    )
    assert bad.status_code == 422
    assert f'id="measure-{measure.id}-update-progress-error"' in bad.text
    assert (await Measure.get(id=measure.id)).status == "planned"
    good = await client.post(
        f"/measures/{measure.id}/update",
        data={"csrf_token": token, "status": "in_progress", "progress": "40", "reason": ""},
    )
    assert good.status_code == 303
    assert good.headers["location"] == f"/mandates/{mandate.id}#measure-{measure.id}"
    stored = await Measure.get(id=measure.id)
    assert (stored.status, stored.progress) == ("in_progress", 40)
    # The form shows the progress again; choosing "done" ignores it and sets 100.
    done = await client.post(
        f"/measures/{measure.id}/update",
        data={"csrf_token": token, "status": "done", "progress": "40", "reason": ""},
    )
    assert done.status_code == 303
    assert (await Measure.get(id=measure.id)).progress == 100
    assert (await Mandate.get(id=mandate.id)).progress == 100


async def test_dropping_without_a_reason_asks_for_one(
    client: httpx.AsyncClient, settings: Settings, council: Actor, mandate: Mandate
) -> None:
    measure = await plans.measure(council, mandate)
    await browse_as(client, settings, council)
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(
        f"/measures/{measure.id}/update",
        data={"csrf_token": token, "status": "dropped", "progress": "0", "reason": " "},
    )
    assert response.status_code == 422
    assert f'id="measure-{measure.id}-update-reason-error"' in response.text
    assert (await Measure.get(id=measure.id)).status == "planned"


async def test_a_milestone_before_the_start_is_shown_on_the_date_field(
    client: httpx.AsyncClient, settings: Settings, council: Actor, mandate: Mandate
) -> None:
    measure = await plans.measure(council, mandate, planned_start=date(2027, 3, 1))
    await browse_as(client, settings, council)
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(
        f"/measures/{measure.id}/milestones",
        data={"csrf_token": token, "title": "Zu früh", "date": "2027-02-01", "description": ""},
    )
    assert response.status_code == 422
    assert f'id="measure-{measure.id}-milestone-date-error"' in response.text
    assert "2027-03-01" in response.text
    assert not await MeasureMilestone.exists()
    ok = await client.post(
        f"/measures/{measure.id}/milestones",
        data={"csrf_token": token, "title": "Baubeginn", "date": "2099-03-01", "description": ""},
    )
    assert ok.status_code == 303
    assert await MeasureMilestone.filter(measure_id=measure.id, title="Baubeginn").exists()


async def test_a_citizen_posting_the_form_is_refused(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, mandate: Mandate
) -> None:
    citizen = await factories.person(lives_in=town)
    await browse_as(client, settings, citizen)
    page = await client.get(f"/mandates/{mandate.id}")
    assert "<form" not in _plan(page.text)
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(
        f"/mandates/{mandate.id}/measures",
        data={
            "csrf_token": token,
            "title": "X",
            "planned_start": "2027-03-01",
            "planned_end": "2027-03-02",
        },
    )
    assert response.status_code == 403
    assert not await Measure.exists()


async def test_a_form_without_a_session_goes_to_sign_in(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    response = await client.post(f"/mandates/{mandate.id}/measures", data={"title": "X"})
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
