"""The council's dashboard, the header link, the promise on the mandate page and the
promise settings on the administration page, as people meet them without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from participation.council.promise import watch_promises
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Department, LocalHoliday, Municipality
from participation.permissions import Role
from server.settings import Settings
from tests import factories
from tests.factories import time_travel
from tests.server.pages.test_administration import _browse_as, _csrf

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=2)


async def _queue(town: Municipality) -> tuple[Mandate, Mandate]:
    initiator = await factories.person(lives_in=town)
    with time_travel(FRIDAY):
        late = await factories.mandate(
            initiator, town, Status.SUBMITTED, title="Ampel am Markt", topics=["verkehr"]
        )
    started = await factories.mandate(initiator, town, Status.IN_REVIEW, title="Neue Bänke")
    return late, started


async def test_a_council_member_sees_her_queue_and_acknowledges(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    late, started = await _queue(town)
    council = await factories.council_member(town)
    await _browse_as(client, settings, council.user_id)
    page = await client.get("/m/musterdorf/council")
    assert page.status_code == 200
    html = page.text
    # Header: the link with the overdue count.
    assert re.search(
        r'href="/m/musterdorf/council"( aria-current="page")?>'
        r'Prüfliste <span class="count">\(1 überfällig\)',
        html,
    ), html
    # The table: headers with scope, the light as colour and word, overdue first.
    assert '<th scope="col">Dienstversprechen</th>' in html
    assert html.index("Ampel am Markt") < html.index("Neue Bänke")
    assert 'data-light="red"' in html and "Nicht begonnen" in html
    assert 'data-light="yellow"' in html and "In Bearbeitung" in html
    assert "Überfällig: eine erste Antwort war zugesagt bis 27. November 2026." in html
    # Acknowledge the submitted one: back to the queue, the mandate in review.
    token = await _csrf(client, "/m/musterdorf/council")
    assert html.count('action="/m/musterdorf/council/acknowledge"') == 1
    done = await client.post(
        "/m/musterdorf/council/acknowledge",
        data={
            "csrf_token": token,
            "mandate_id": str(late.id),
            "back": "/m/musterdorf/council?sort=due",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/m/musterdorf/council?sort=due"
    assert (await Mandate.get(id=late.id)).status == Status.IN_REVIEW
    again = await client.post(
        "/m/musterdorf/council/acknowledge",
        data={"csrf_token": token, "mandate_id": str(late.id), "back": "https://evil.example/"},
    )
    assert again.status_code == 409  # already in review: the error page, nothing moved


async def test_filters_in_the_form_and_errors_next_to_the_field(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    late, started = await _queue(town)
    department = await Department.create(municipality_id=town.id, name="Ordnungsamt")
    await Mandate.filter(id=started.id).update(department_id=department.id)
    council = await factories.council_member(town)
    await _browse_as(client, settings, council.user_id)
    overdue = (await client.get("/m/musterdorf/council?overdue=1&lang=en")).text
    assert "Ampel am Markt" in overdue and "Neue Bänke" not in overdue
    by_department = (await client.get(f"/m/musterdorf/council?department={department.id}")).text
    assert "Neue Bänke" in by_department and "Ampel am Markt" not in by_department
    assert "<td>Ordnungsamt</td>" in by_department
    bad = await client.get("/m/musterdorf/council?status=collecting&sort=x")
    assert bad.status_code == 422
    assert 'id="filter-status-error"' in bad.text and 'id="filter-sort-error"' in bad.text


async def test_others_are_refused_and_see_no_header_link(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    await _queue(town)
    citizen = await factories.person(lives_in=town)
    elsewhere = await factories.council_member(await factories.municipality(name="Anderswo"))
    anonymous = await client.get("/m/musterdorf/council")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    for person in (citizen, elsewhere):
        client.cookies.clear()
        await _browse_as(client, settings, person.user_id)
        assert (await client.get("/m/musterdorf/council")).status_code == 403
        home = await client.get("/m/musterdorf")
        assert "/m/musterdorf/council" not in home.text


async def test_the_mandate_page_shows_the_promise_and_the_missed_entry(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    late, started = await _queue(town)
    with time_travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)):
        await watch_promises()
    html = (await client.get(f"/mandates/{late.id}?lang=en")).text
    assert '<div id="service-promise" data-live' in html
    assert 'data-light="red"' in html and "Not started" in html
    assert "Overdue: a first answer was promised by November 27, 2026." in html
    assert "The first answer promised by November 27, 2026 has not come in time." in html
    fresh = (await client.get(f"/mandates/{started.id}?lang=en")).text
    assert "The council promised a first answer by" in fresh and 'data-light="yellow"' in fresh


async def test_an_admin_sets_the_promise_and_local_holidays(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await _browse_as(client, settings, admin.user_id)
    token = await _csrf(client, "/m/musterdorf/admin")
    saved = await client.post(
        "/m/musterdorf/admin/promise",
        data={
            "csrf_token": token,
            "service_promise_days": "3",
            "state": "NW",
        },
    )
    assert saved.status_code == 303
    await town.refresh_from_db()
    assert (town.service_promise_days, town.state) == (3, "NW")
    added = await client.post(
        "/m/musterdorf/admin/holidays",
        data={"csrf_token": token, "date": "2027-02-08", "name": "Rosenmontag"},
    )
    assert added.status_code == 303
    page = (await client.get("/m/musterdorf/admin")).text
    assert "Rosenmontag" in page and '<option value="NW" selected>Nordrhein-Westfalen' in page
    bad = await client.post(
        "/m/musterdorf/admin/promise",
        data={
            "csrf_token": token,
            "service_promise_days": "0",
            "state": "XX",
        },
    )
    assert bad.status_code == 422
    for field in ("service_promise_days", "state"):
        assert f'id="promise-{field}-error"' in bad.text
    bad_day = await client.post(
        "/m/musterdorf/admin/holidays", data={"csrf_token": token, "date": "8.2.2027", "name": ""}
    )
    assert bad_day.status_code == 422 and 'id="holidays-date-error"' in bad_day.text
    removed = await client.post(
        "/m/musterdorf/admin/holidays/remove", data={"csrf_token": token, "date": "2027-02-08"}
    )
    assert removed.status_code == 303
    assert not await LocalHoliday.filter(municipality_id=town.id).exists()
    await town.refresh_from_db()
    assert (town.service_promise_days, town.state) == (3, "NW")
