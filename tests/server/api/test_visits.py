"""The service portal's visits, the catalogue and rules, and the funnel, through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from notifications.models import Notification
from notifications.visits.models import Invitation, ServiceVisit
from participation import clock
from participation.actors import Actor
from participation.mandates import commands as mandate_commands
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import visits
from tests.factories.deliberation import comment, thread_of
from tests.factories.mandates import time_travel
from tests.factories.votes import vote as open_vote
from tests.support import assert_problem, eventually

Auth = Callable[[Actor], dict[str, str]]


def _url(town: Municipality) -> str:
    return f"/api/v1/municipalities/{town.slug}/service-visits"


@pytest.fixture
async def portal(town: Municipality) -> visits.Portal:
    await visits.services(town)
    return await visits.portal(town)


@pytest.fixture
async def resident(town: Municipality) -> Actor:
    return await visits.consenting(
        await factories.person(email="anwohnerin@example.org", lives_in=town, district="mitte")
    )


async def _post(client: httpx.AsyncClient, town: Municipality, token: str) -> httpx.Response:
    return await client.post(_url(town), json={"visit": token})


async def _outcome(client: httpx.AsyncClient, town: Municipality, token: str) -> str:
    response = await _post(client, town, token)
    assert response.status_code == 202, response.text
    return str(response.json()["outcome"])


async def test_a_consenting_resident_is_invited_to_what_is_open_in_her_new_district(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    initiator = await factories.person(lives_in=town, district="mitte")
    elsewhere = await factories.mandate(initiator, town, district="nord", title="Im Norden")
    here = await factories.mandate(initiator, town, district="mitte", title="Radweg Mitte")
    token = portal.visit(email="Anwohnerin@Example.org", district="mitte")

    assert await _outcome(client, town, token) == "invited"

    invitation = await Invitation.get(user_id=resident.user_id)
    assert (invitation.target, invitation.target_id) == ("mandate", here.id)
    assert invitation.target_id != elsewhere.id

    async def delivered() -> bool:
        return await Notification.filter(
            recipient_id=resident.user_id, event_name="visits:invitation:sent"
        ).exists()

    await eventually(delivered)
    note = await Notification.get(recipient_id=resident.user_id)
    assert note.data["subject_title"] == "Radweg Mitte"
    assert note.data["service_name_de"] == "Ummeldung"
    assert note.data["url"] == f"/invitations/{invitation.token}"
    assert set(note.data["satisfaction_urls"]) == {"1", "2", "3", "4", "5"}


async def test_the_account_reference_names_her_without_an_email(
    client: httpx.AsyncClient,
    town: Municipality,
    portal: visits.Portal,
    resident: Actor,
    auth: Auth,
) -> None:
    await factories.mandate(await factories.person(), town, district="mitte")
    me = (await client.get("/api/v1/me", headers=auth(resident))).json()
    reference = me["account_ref"]
    assert reference.startswith("acc_")
    token = portal.visit(account_ref=reference)
    assert await _outcome(client, town, token) == "invited"


async def test_someone_without_an_account_is_counted_and_not_kept(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal
) -> None:
    token = portal.visit(email="niemand@example.org", jti="portal-visit-1")
    assert await _outcome(client, town, token) == "unknown_person"
    visit = await ServiceVisit.get(jti="portal-visit-1")
    assert visit.user_id is None
    assert "niemand" not in str(await ServiceVisit.filter(id=visit.id).values())


async def test_without_consent_nobody_is_invited(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal
) -> None:
    await factories.person(email="ohne@example.org", lives_in=town, district="mitte")
    await factories.mandate(await factories.person(), town, district="mitte")
    assert await _outcome(client, town, portal.visit(email="ohne@example.org")) == "no_consent"
    assert not await Invitation.exists()


async def test_at_most_one_invitation_in_the_municipalitys_cap(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    initiator = await factories.person()
    await factories.mandate(initiator, town, district="mitte")
    await factories.mandate(initiator, town, district="mitte")
    email = "anwohnerin@example.org"
    assert await _outcome(client, town, portal.visit(email=email)) == "invited"
    assert await _outcome(client, town, portal.visit(email=email)) == "capped"
    later = clock.now() + timedelta(days=13, hours=23)
    with time_travel(later):
        assert await _outcome(client, town, portal.visit(email=email)) == "capped"
    with time_travel(clock.now() + timedelta(days=14, minutes=1)):
        assert await _outcome(client, town, portal.visit(email=email)) == "invited"
    assert await Invitation.filter(user_id=resident.user_id).count() == 2


async def test_never_to_what_she_already_joined(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    initiator = await factories.person()
    signed = await factories.mandate(initiator, town, district="mitte")
    await mandate_commands.sign_mandate(resident, signed.id)
    discussed = await factories.mandate(initiator, town, district="mitte")
    await comment(resident, await thread_of(discussed))
    email = "anwohnerin@example.org"
    assert await _outcome(client, town, portal.visit(email=email)) == "nothing_open"
    fresh = await factories.mandate(initiator, town, district="mitte")
    assert await _outcome(client, town, portal.visit(email=email)) == "invited"
    assert (await Invitation.get(user_id=resident.user_id)).target_id == fresh.id


async def test_an_open_vote_comes_before_a_mandate_and_a_topic_rule_finds_mobility(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    council = await factories.council_member(town)
    initiator = await factories.person()
    await factories.mandate(initiator, town, district="nord", topics=["Kultur"])
    cycling = await factories.mandate(initiator, town, district="nord", topics=["Radverkehr"])
    email = "anwohnerin@example.org"
    outcome = await _outcome(
        client, town, portal.visit(email=email, service_type="vehicle.registration")
    )
    assert outcome == "invited"
    assert (await Invitation.get(user_id=resident.user_id)).target_id == cycling.id

    await Invitation.all().delete()
    vote = await open_vote(council, town, district="mitte")
    assert await _outcome(client, town, portal.visit(email=email)) == "invited"
    invitation = await Invitation.get(user_id=resident.user_id)
    assert (invitation.target, invitation.target_id) == ("vote", vote.id)


async def test_nothing_open_or_no_rule_means_no_invitation(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    email = "anwohnerin@example.org"
    await factories.mandate(await factories.person(), town, district="nord")
    assert await _outcome(client, town, portal.visit(email=email)) == "nothing_open"
    bulky = portal.visit(email=email, service_type="waste.bulky_pickup")
    assert await _outcome(client, town, bulky) == "nothing_open"
    assert await ServiceVisit.filter(outcome="nothing_open").count() == 2


async def test_a_replayed_visit_is_refused(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal
) -> None:
    token = portal.visit(email="niemand@example.org")
    assert await _outcome(client, town, token) == "unknown_person"
    assert_problem(await _post(client, town, token), 409)
    assert await ServiceVisit.all().count() == 1


async def test_visits_that_must_be_refused_store_nothing(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal
) -> None:
    other = await factories.municipality("anderswo", name="Anderswo")
    foreign = await visits.portal(other)
    stranger = ed25519.Ed25519PrivateKey.generate()
    now = clock.now()
    unauthenticated = {
        "another key": portal.visit(private=stranger),
        "unknown kid": portal.visit(kid="999999"),
        "no kid": portal.visit(kid=None),
        "another municipality's key": foreign.visit(iss=town.slug),
        "issued for another municipality": portal.visit(iss="anderswo"),
        "wrong audience": portal.visit(aud="auftrag:residency"),
        "expired": portal.visit(iat=now - timedelta(minutes=9), exp=now - timedelta(minutes=1)),
        "issued in the future": portal.visit(
            iat=now + timedelta(minutes=5), exp=now + timedelta(minutes=9)
        ),
        "too long-lived": portal.visit(exp=now + timedelta(hours=1)),
    }
    for case, token in unauthenticated.items():
        response = await _post(client, town, token)
        assert response.status_code == 401, case
        assert_problem(response, 401, {"visit"})
    invalid = {
        "not a jwt": ("not.a.jwt", "visit"),
        "unknown service": (portal.visit(service_type="moon.landing"), "visit.service_type"),
        "unknown district": (portal.visit(district="atlantis"), "visit.district"),
        "no time": (portal.visit(occurred_at="gestern"), "visit.occurred_at"),
        "nobody named": (portal.visit(), "visit.email"),
        "finished before it began": (
            portal.visit(
                email="a@example.org",
                requested_at=now.isoformat(),
                completed_at=(now - timedelta(hours=1)).isoformat(),
            ),
            "visit.completed_at",
        ),
    }
    for case, (token, field) in invalid.items():
        response = await _post(client, town, token)
        assert response.status_code == 422, case
        assert_problem(response, 422, {field})
    malformed = await client.post(
        _url(town), content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(malformed, 422, {"body"})
    assert not await ServiceVisit.exists()


async def test_only_administrators_edit_the_catalogue_and_rules(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, citizen: Actor
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    base = f"/api/v1/municipalities/{town.slug}"
    services = {
        "services": [
            {"code": "id_card.collection", "name_de": "Ausweisabholung", "name_en": "ID card"},
            {"code": "vehicle.registration", "name_de": "Kfz", "name_en": "Car"},
        ]
    }
    assert_problem(await client.put(f"{base}/service-catalogue", json=services), 401)
    assert_problem(
        await client.put(f"{base}/service-catalogue", json=services, headers=auth(citizen)), 403
    )
    saved = await client.put(f"{base}/service-catalogue", json=services, headers=auth(admin))
    assert saved.status_code == 200, saved.text
    assert [s["code"] for s in saved.json()["services"]] == [
        "id_card.collection",
        "vehicle.registration",
    ]
    rules = {
        "cap_days": 30,
        "rules": [{"service_type": "vehicle.registration", "topics": [" Mobilität "]}],
    }
    put = await client.put(f"{base}/invitation-rules", json=rules, headers=auth(admin))
    assert put.status_code == 200, put.text
    assert put.json() == {
        "cap_days": 30,
        "rules": [
            {"service_type": "vehicle.registration", "topics": ["mobilität"], "own_district": False}
        ],
    }
    unknown = {"cap_days": 14, "rules": [{"service_type": "moon.landing"}]}
    assert_problem(
        await client.put(f"{base}/invitation-rules", json=unknown, headers=auth(admin)),
        422,
        {"rules.0.service_type"},
    )
    fewer = {"services": services["services"][:1]}
    await client.put(f"{base}/service-catalogue", json=fewer, headers=auth(admin))
    got = await client.get(f"{base}/invitation-rules", headers=auth(admin))
    assert got.json()["rules"] == []


async def test_the_funnel_counts_visits_invitations_opened_and_took_part(
    client: httpx.AsyncClient, town: Municipality, portal: visits.Portal, resident: Actor
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, district="mitte")
    other = await visits.consenting(await factories.person(email="zwei@example.org"))
    requested = clock.now() - timedelta(minutes=40)
    for email, minutes in (("anwohnerin@example.org", 30), ("zwei@example.org", 10)):
        token = portal.visit(
            email=email,
            requested_at=requested.isoformat(),
            completed_at=(requested + timedelta(minutes=minutes)).isoformat(),
        )
        assert await _outcome(client, town, token) == "invited"
    await _outcome(client, town, portal.visit(email="niemand@example.org"))
    first = await Invitation.get(user_id=resident.user_id)
    opened = await client.get(f"/invitations/{first.token}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/mandates/{mandate.id}"
    await mandate_commands.sign_mandate(resident, mandate.id)
    second = await Invitation.get(user_id=other.user_id)
    for invitation, score in ((first, 5), (second, 2)):
        await client.get(
            f"/invitations/{invitation.token}/satisfaction/{score}",
            headers={"sec-fetch-user": "?1"},
        )

    period = clock.now().astimezone().strftime("%Y-%m")
    response = await client.get(
        f"/api/v1/municipalities/{town.slug}/service-visits/funnel",
        params={"period": "last-12-months"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == {"visits": 3, "invitations": 2, "opened": 1, "took_part": 1}
    [row] = body["services"]
    assert row["service_type"] == "residence.registration" and row["month"][:4] == period[:4]
    assert row["outcomes"]["invited"] == 2 and row["outcomes"]["unknown_person"] == 1
    assert row["satisfaction"] == {
        "n": 2,
        "mean": 3.5,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }
    assert row["duration"] == {"n": 2, "median_minutes": 20.0, "p90_minutes": 30.0}
    assert_problem(
        await client.get(
            f"/api/v1/municipalities/{town.slug}/service-visits/funnel",
            params={"period": "2026-13"},
        ),
        422,
        {"period"},
    )
