"""GET /municipalities/{slug}/review-queue and PATCH /municipalities/{slug} (settings)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import LocalHoliday, Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import time_travel
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]
BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN).astimezone(UTC)


async def _who(who: str, town: Municipality, initiator: Actor) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return initiator
    if who == "council elsewhere":
        other = await factories.municipality(name="Anderswo")
        return await factories.person(role=Role.COUNCIL, municipality=other)
    roles = {"council": Role.COUNCIL, "admin": Role.ADMIN, "moderator": Role.MODERATOR}
    if who in roles:
        return await factories.person(role=roles[who], municipality=town)
    return await factories.person(lives_in=town)


QUEUE = {
    "anonymous": 401,
    "citizen": 403,
    "initiator": 403,
    "moderator": 403,
    "council": 200,
    "admin": 200,
    "council elsewhere": 403,
}
SETTINGS = QUEUE | {"council": 403}


@pytest.mark.parametrize("who", list(QUEUE))
async def test_permission_matrix(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, who: str
) -> None:
    initiator = await factories.person(lives_in=town)
    person = await _who(who, town, initiator)
    headers = auth(person) if person else {}
    queue = await client.get(f"/api/v1/municipalities/{town.slug}/review-queue", headers=headers)
    assert queue.status_code == QUEUE[who], queue.text
    patch = await client.patch(
        f"/api/v1/municipalities/{town.slug}", json={"population": 1234}, headers=headers
    )
    assert patch.status_code == SETTINGS[who], patch.text
    if patch.status_code != 200:
        assert_problem(patch, SETTINGS[who])
        assert (await Municipality.get(id=town.id)).population is None


async def test_review_queue_items_and_counts(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    initiator = await factories.person(lives_in=town)
    with time_travel(FRIDAY):
        late = await factories.mandate(initiator, town, Status.SUBMITTED, district="mitte")
        started = await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)
    await Mandate.filter(id=started.id).update(first_answer_at=FRIDAY, promise_kept=True)
    await factories.mandate(initiator, town, Status.COLLECTING)
    url = f"/api/v1/municipalities/{town.slug}/review-queue"
    response = await client.get(url, headers=auth(council))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [i["id"] for i in body["items"]] == [late.id, started.id]
    first = body["items"][0]
    assert first["service_promise"]["light"] == "red"
    assert first["service_promise"]["overdue"] is True
    assert first["service_promise"]["kept"] is None
    assert first["department"] is None and first["signature_count"] == 4
    assert body["items"][1]["service_promise"]["kept"] is True
    assert body["counts"] == {"red": 1, "yellow": 1, "green": 0, "overdue": 1}
    assert body["next"] is None

    filtered = await client.get(url + "?overdue=true&district=mitte", headers=auth(council))
    assert [i["id"] for i in filtered.json()["items"]] == [late.id]
    paged = await client.get(url + "?limit=1&sort=submitted", headers=auth(council))
    assert paged.json()["next"]
    rest = await client.get(
        url + f"?limit=1&sort=submitted&cursor={paged.json()['next']}", headers=auth(council)
    )
    assert [i["id"] for i in rest.json()["items"]] == [started.id]

    for query, field in (
        ("status=collecting", "status"),
        ("sort=popular", "sort"),
        ("limit=101", "limit"),
        ("cursor=nonsense", "cursor"),
        ("department=x", "department"),
    ):
        assert_problem(await client.get(f"{url}?{query}", headers=auth(council)), 422, {field})


async def test_the_mandate_resource_carries_its_service_promise(
    client: httpx.AsyncClient, town: Municipality, council: Actor
) -> None:
    initiator = await factories.person(lives_in=town)
    with time_travel(FRIDAY):
        submitted = await factories.mandate(initiator, town, Status.SUBMITTED)
    collecting = await factories.mandate(initiator, town, Status.COLLECTING)
    body = (await client.get(f"/api/v1/mandates/{submitted.id}")).json()
    assert body["service_promise"] == {
        # Musterdorf promises five working days: Friday → Friday a week later.
        "due_at": "2026-11-27T22:59:59Z",
        "light": "red",
        "overdue": True,
        "first_answer_at": None,
        "kept": None,
    }
    assert (await client.get(f"/api/v1/mandates/{collecting.id}")).json()["service_promise"] is None


async def test_patch_changes_each_setting_and_get_shows_them(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    url = f"/api/v1/municipalities/{town.slug}"
    response = await client.patch(
        url,
        headers=auth(admin),
        json={
            "default_quorum": 50,
            "service_promise_days": 3,
            "state": "NW",
            "local_holidays": ["2027-02-08", {"date": "2027-06-20", "name": "Stadtfest"}],
            "population": 23456,
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 200, response.text
    shown = (await client.get(url)).json()
    assert shown == response.json()
    assert {k: shown[k] for k in ("default_quorum", "service_promise_days", "state")} == {
        "default_quorum": 50,
        "service_promise_days": 3,
        "state": "NW",
    }
    assert shown["local_holidays"] == [
        {"date": "2027-02-08", "name": ""},
        {"date": "2027-06-20", "name": "Stadtfest"},
    ]
    assert (shown["population"], shown["time_zone"]) == (23456, "Europe/Berlin")

    # The list replaces the old one; a day that stays keeps its name; null clears.
    again = await client.patch(
        url,
        headers=auth(admin),
        json={"local_holidays": ["2027-06-20"], "state": None, "population": None},
    )
    assert again.status_code == 200, again.text
    assert again.json()["local_holidays"] == [{"date": "2027-06-20", "name": "Stadtfest"}]
    assert again.json()["state"] is None and again.json()["population"] is None
    assert again.json()["default_quorum"] == 50  # left out: unchanged


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"state": "XX"}, {"state"}),
        ({"state": "Augsburg"}, {"state"}),
        ({"local_holidays": ["2027-13-01"]}, {"local_holidays"}),
        ({"local_holidays": [{"date": "8.2.2027"}]}, {"local_holidays"}),
        ({"local_holidays": ["1999-01-01"]}, {"local_holidays"}),
        ({"population": -1}, {"population"}),
        ({"population": 1.5}, {"population"}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone"}),
        ({"service_promise_days": 0}, {"service_promise_days"}),
        ({"service_promise_days": 61}, {"service_promise_days"}),
        ({"default_quorum": 0}, {"default_quorum"}),
        (
            {"state": "XX", "population": -5, "time_zone": "Nowhere", "local_holidays": []},
            {"state", "population", "time_zone"},
        ),
    ],
)
async def test_patch_names_each_bad_field_and_stores_nothing(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, body: dict, fields: set[str]
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    await LocalHoliday.create(municipality_id=town.id, date=datetime(2027, 2, 8).date())
    response = await client.patch(
        f"/api/v1/municipalities/{town.slug}", headers=auth(admin), json=body
    )
    assert_problem(response, 422, fields)
    kept = await Municipality.get(id=town.id)
    assert (kept.state, kept.population, kept.time_zone) == (None, None, "Europe/Berlin")
    assert await LocalHoliday.filter(municipality_id=town.id).count() == 1
