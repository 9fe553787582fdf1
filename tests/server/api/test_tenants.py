"""Municipalities on one deployment: operators found them, administrators configure them,
and each one's data stays under its own slug."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from notifications.models import MailboxMessage
from participation.accounts.authorization.operators import grant_operator
from participation.accounts.models import Membership, PendingRole
from participation.actors import Actor
from participation.mandates.models import Mandate
from participation.municipalities.models import District, Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories
from tests.factories.accounts import signed_in
from tests.support import assert_problem, eventually

Auth = Callable[[Actor], dict[str, str]]
MUSTERSTADT = {
    "slug": "musterstadt",
    "name": "Musterstadt",
    "state": "BY",
    "official_key": "09162000",
}


@pytest.fixture
async def operator(client: httpx.AsyncClient) -> Actor:
    user = await grant_operator("betrieb@example.org")
    return await signed_in(user.id)


async def test_an_operator_founds_two_municipalities_each_under_its_own_name(
    client: httpx.AsyncClient, operator: Actor, auth: Auth
) -> None:
    first = await client.post("/api/v1/municipalities", json=MUSTERSTADT, headers=auth(operator))
    assert first.status_code == 201, first.text
    assert first.json()["official_key"] == "09162000"
    assert first.json()["state"] == "BY"
    second = await client.post(
        "/api/v1/municipalities",
        json={
            "slug": "beispielhausen",
            "name": "Beispielhausen",
            "state": "NW",
            "official_key": "05315000",
            "population": 12000,
            "contact_email": "Rathaus@Beispielhausen.de",
        },
        headers=auth(operator),
    )
    assert second.status_code == 201, second.text
    assert second.json()["contact_email"] == "rathaus@beispielhausen.de"
    assert second.json()["population"] == 12000
    names = {
        slug: (await client.get(f"/api/v1/municipalities/{slug}")).json()["name"]
        for slug in ("musterstadt", "beispielhausen")
    }
    assert names == {"musterstadt": "Musterstadt", "beispielhausen": "Beispielhausen"}
    pages = {slug: (await client.get(f"/m/{slug}")).text for slug in names}
    assert "Musterstadt" in pages["musterstadt"] and "Beispielhausen" not in pages["musterstadt"]
    assert (
        "Beispielhausen" in pages["beispielhausen"] and "Musterstadt" not in pages["beispielhausen"]
    )
    created = await OutboxEvent.filter(name="municipalities:municipality:created").count()
    assert created == 2


async def test_only_an_operator_founds_and_nothing_is_stored_otherwise(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    town = await factories.municipality("musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    refused = await client.post("/api/v1/municipalities", json=MUSTERSTADT, headers=auth(admin))
    assert_problem(refused, 403)
    anonymous = await client.post("/api/v1/municipalities", json=MUSTERSTADT)
    assert anonymous.status_code == 401
    assert not await Municipality.filter(slug="musterstadt").exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"slug": "Muster Stadt"}, {"slug"}),
        ({"slug": "x"}, {"slug"}),
        ({"slug": "api"}, {"slug"}),
        ({"slug": "-muster"}, {"slug"}),
        ({"slug": "muster--stadt"}, {"slug"}),
        ({"state": "XY"}, {"state"}),
        ({"official_key": "0916200"}, {"official_key"}),
        ({"official_key": "05162000"}, {"official_key"}),
        ({"official_key": "0916200a"}, {"official_key"}),
        ({"name": "   "}, {"name"}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone"}),
        ({"contact_email": "kein-at"}, {"contact_email"}),
        ({"slug": "API", "state": "ZZ", "official_key": "1"}, {"slug", "state", "official_key"}),
        ({"official_key": "1", "admin_email": "kaputt"}, {"official_key", "admin_email"}),
    ],
)
async def test_bad_input_when_founding_names_each_field_and_stores_nothing(
    client: httpx.AsyncClient, operator: Actor, auth: Auth, change: dict, fields: set[str]
) -> None:
    response = await client.post(
        "/api/v1/municipalities", json={**MUSTERSTADT, **change}, headers=auth(operator)
    )
    assert_problem(response, 422, fields)
    assert await Municipality.all().count() == 0
    assert not await OutboxEvent.filter(name="municipalities:municipality:created").exists()


async def test_a_slug_taken_is_refused_naming_the_slug(
    client: httpx.AsyncClient, operator: Actor, auth: Auth
) -> None:
    await factories.municipality("musterstadt", name="Alte Musterstadt")
    response = await client.post("/api/v1/municipalities", json=MUSTERSTADT, headers=auth(operator))
    problem = assert_problem(response, 422, {"slug"})
    assert "musterstadt" in problem["errors"][0]["message"]
    assert (await Municipality.get(slug="musterstadt")).name == "Alte Musterstadt"


async def test_the_first_administrator_waits_on_an_address_without_an_account(
    client: httpx.AsyncClient, operator: Actor, auth: Auth
) -> None:
    response = await client.post(
        "/api/v1/municipalities",
        json={**MUSTERSTADT, "admin_email": "Buergermeisterin@Musterstadt.de"},
        headers=auth(operator),
    )
    assert response.status_code == 201, response.text
    pending = await PendingRole.get(email="buergermeisterin@musterstadt.de")
    assert pending.role == Role.ADMIN and pending.accepted_at is None

    async def told() -> bool:
        return await MailboxMessage.filter(to="buergermeisterin@musterstadt.de").exists()

    await eventually(told)
    mail = await MailboxMessage.get(to="buergermeisterin@musterstadt.de")
    # The deployment's operators invite, not the pseudonym of the operator's account.
    assert "Das Betriebsteam von Auftrag unter localhost hat dich eingeladen" in mail.body
    assert "Mitglied" not in mail.body


async def test_a_bad_admin_address_founds_nothing(
    client: httpx.AsyncClient, operator: Actor, auth: Auth
) -> None:
    response = await client.post(
        "/api/v1/municipalities",
        json={**MUSTERSTADT, "admin_email": "keine-adresse"},
        headers=auth(operator),
    )
    assert_problem(response, 422, {"admin_email"})
    assert not await Municipality.filter(slug="musterstadt").exists()


@pytest.fixture
async def town(client: httpx.AsyncClient) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)


async def test_administrators_change_name_contact_period_and_districts(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    citizen = await factories.person(lives_in=town, district="nord")
    mandate = await factories.mandate(citizen, town, district="nord")
    response = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={
            "name": "Musterdorf am See",
            "signature_period_days": 60,
            "default_quorum": 250,
            "time_zone": "Europe/Berlin",
            "contact_email": "rathaus@musterdorf.de",
            "contact_phone": "+49 89 123-45",
            "contact_address": "Rathausplatz 1\n12345 Musterdorf",
            "add_districts": ["Süd-Ost"],
            "rename_districts": [{"slug": "mitte", "name": "Altstadt"}],
            "retire_districts": ["nord"],
        },
        headers=auth(admin),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Musterdorf am See"
    assert body["signature_period_days"] == 60 and body["default_quorum"] == 250
    assert body["contact_address"] == "Rathausplatz 1\n12345 Musterdorf"
    assert body["contact_phone"] == "+49 89 123-45"
    districts = {d["slug"]: (d["name"], d["retired"]) for d in body["districts"]}
    assert districts == {
        "mitte": ("Altstadt", False),
        "nord": ("Nord", True),
        "sued": ("Süd", False),
        "sued-ost": ("Süd-Ost", False),
    }
    # The retired district keeps its mandates.
    assert (await Mandate.get(id=mandate.id)).district_id == (await District.get(slug="nord")).id
    names = await OutboxEvent.filter(name__startswith="municipalities:district:").values_list(
        "name", flat=True
    )
    assert sorted(names) == [
        "municipalities:district:added",
        "municipalities:district:renamed",
        "municipalities:district:retired",
    ]
    refused = await client.post(
        "/api/v1/municipalities/musterdorf/mandates",
        json={"title": "Neu im Norden", "summary": "Kurz.", "body": "Text.", "district": "nord"},
        headers=auth(citizen),
    )
    assert_problem(refused, 422, {"district"})
    back = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"reinstate_districts": ["nord"]},
        headers=auth(admin),
    )
    assert {d["slug"]: d["retired"] for d in back.json()["districts"]}["nord"] is False


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"signature_period_days": 2}, {"signature_period_days"}),
        ({"time_zone": "Europe/Atlantis"}, {"time_zone"}),
        ({"contact_email": "rathaus"}, {"contact_email"}),
        ({"contact_phone": "ruf an"}, {"contact_phone"}),
        ({"add_districts": ["Nord"]}, {"add_districts"}),
        ({"add_districts": ["!!!"]}, {"add_districts"}),
        ({"rename_districts": [{"slug": "gibtsnicht", "name": "X"}]}, {"rename_districts"}),
        ({"rename_districts": [{"slug": "mitte", "name": "Nord"}]}, {"rename_districts"}),
        ({"retire_districts": ["gibtsnicht"]}, {"retire_districts"}),
        (
            {"name": "Neu", "add_districts": ["Ost"], "time_zone": "Nowhere"},
            {"time_zone"},
        ),
    ],
)
async def test_a_bad_setting_is_named_and_nothing_changes(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    change: dict,
    fields: set[str],
) -> None:
    response = await client.patch(
        "/api/v1/municipalities/musterdorf", json=change, headers=auth(admin)
    )
    assert_problem(response, 422, fields)
    row = await Municipality.get(slug="musterdorf")
    assert row.name == "Musterdorf" and row.contact_email == ""
    assert sorted(
        await District.filter(municipality_id=town.id).values_list("slug", flat=True)
    ) == [
        "mitte",
        "nord",
        "sued",
    ]
    assert await District.filter(retired_at__isnull=False).count() == 0


async def test_the_administrator_of_another_town_changes_nothing_here(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    other = await factories.municipality("nachbarort", name="Nachbarort")
    stranger = await factories.person(role=Role.ADMIN, municipality=other)
    response = await client.patch(
        "/api/v1/municipalities/musterdorf", json={"name": "Gekapert"}, headers=auth(stranger)
    )
    assert_problem(response, 403)
    invited = await client.post(
        "/api/v1/municipalities/musterdorf/invitations",
        json={"email": "x@example.org", "role": "admin"},
        headers=auth(stranger),
    )
    assert_problem(invited, 403)
    assert (await Municipality.get(slug="musterdorf")).name == "Musterdorf"


async def test_invitations_wait_list_and_withdraw(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    url = "/api/v1/municipalities/musterdorf/invitations"
    made = await client.post(
        url, json={"email": "Rat@Example.org", "role": "council"}, headers=auth(admin)
    )
    assert made.status_code == 201, made.text
    assert made.json()["pending"] is True and made.json()["email"] == "rat@example.org"
    listed = (await client.get(url, headers=auth(admin))).json()["items"]
    assert [(i["email"], i["role"], i["invited_by"]) for i in listed] == [
        ("rat@example.org", "council", "Ada Admin")
    ]
    gone = await client.delete(f"{url}/{made.json()['id']}", headers=auth(admin))
    assert gone.status_code == 204
    assert (await client.get(url, headers=auth(admin))).json()["items"] == []
    again = await client.delete(f"{url}/{made.json()['id']}", headers=auth(admin))
    assert_problem(again, 404)


async def test_an_invitation_to_an_existing_account_grants_at_once(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    person = await factories.person(email="mona@example.org", name="Mona")
    made = await client.post(
        "/api/v1/municipalities/musterdorf/invitations",
        json={"email": "mona@example.org", "role": "moderator"},
        headers=auth(admin),
    )
    assert made.status_code == 201
    assert made.json()["pending"] is False and made.json()["id"] is None
    assert await Membership.filter(user_id=person.user_id, role=Role.MODERATOR).exists()


async def test_an_invitation_names_a_bad_email_and_role(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    response = await client.post(
        "/api/v1/municipalities/musterdorf/invitations",
        json={"email": "kaputt", "role": "citizen"},
        headers=auth(admin),
    )
    assert_problem(response, 422)
    assert not await PendingRole.exists()


async def test_me_says_whether_she_operates_the_deployment(
    client: httpx.AsyncClient, operator: Actor, auth: Auth
) -> None:
    citizen = await factories.person()
    assert (await client.get("/api/v1/me", headers=auth(operator))).json()["operator"] is True
    assert (await client.get("/api/v1/me", headers=auth(citizen))).json()["operator"] is False
