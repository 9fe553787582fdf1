"""Declared residence through the API: /me/residence, refusals with a reason, who may take part."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from participation.accounts.models import ResidenceChange, ResidenceDeclaration
from participation.actors import Actor
from participation.municipalities.models import Municipality
from tests import factories
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


async def test_another_towns_fresh_account_is_refused_until_it_declares(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town)
    neighbour_town = await factories.municipality("nachbarort", name="Nachbarort")
    outsider = await factories.person(lives_in=neighbour_town)
    signed = await client.post(f"/api/v1/mandates/{mandate.id}/signatures", headers=auth(outsider))
    refused = assert_problem(signed, 403)
    assert refused["reason"] == "residence_not_declared"
    assert refused["needed_level"] == "email_verified"
    launched = await client.post(
        "/api/v1/municipalities/musterdorf/mandates",
        json={"title": "Ein Auftrag", "summary": "Kurz."},
        headers=auth(outsider),
    )
    assert assert_problem(launched, 403)["reason"] == "residence_not_declared"

    declared = await client.put(
        "/api/v1/me/residence",
        json={"municipality": "musterdorf", "district": "nord"},
        headers=auth(outsider),
    )
    assert declared.status_code == 200, declared.text
    state = declared.json()
    assert state["residence"]["municipality"] == "musterdorf"
    assert state["residence"]["district"] == "nord"
    assert [(m["from_municipality"], m["to_municipality"]) for m in state["history"]] == [
        (None, "nachbarort"),
        ("nachbarort", "musterdorf"),
    ]
    signed = await client.post(f"/api/v1/mandates/{mandate.id}/signatures", headers=auth(outsider))
    assert signed.status_code == 201, signed.text
    me = (await client.get("/api/v1/me", headers=auth(outsider))).json()
    assert me["residence"]["municipality"] == "musterdorf"
    assert (await client.get("/api/v1/me/residence", headers=auth(outsider))).json() == state


async def test_declaring_an_unknown_place_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    person = await factories.person(lives_in=None)
    for body, field in [
        ({"municipality": "atlantis"}, "municipality"),
        ({"municipality": "musterdorf", "district": "atlantis"}, "district"),
        ({"municipality": "musterdorf", "district": 7}, "district"),
        ({"district": "nord"}, "municipality"),
    ]:
        response = await client.put("/api/v1/me/residence", json=body, headers=auth(person))
        assert_problem(response, 422, {field})
    assert not await ResidenceDeclaration.filter(user_id=person.user_id).exists()
    assert not await ResidenceChange.filter(user_id=person.user_id).exists()
    empty = (await client.get("/api/v1/me/residence", headers=auth(person))).json()
    assert empty == {"residence": None, "history": []}
    assert_problem(await client.get("/api/v1/me/residence"), 401)


async def test_mandates_and_votes_say_who_may_take_part(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town)
    body = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert body["participation"] == {
        "level": "email_verified",
        "residence": "declared",
        "municipality": "musterdorf",
        "district": None,
    }
    vote = await client.post(
        "/api/v1/municipalities/musterdorf/votes",
        json={
            "title": "Was zuerst?",
            "rule": "approval",
            "district": "nord",
            "eligibility_level": "resident_verified",
            "options": [{"title": "A"}, {"title": "B"}],
        },
        headers=auth(council),
    )
    assert vote.status_code == 201, vote.text
    assert vote.json()["participation"] == {
        "level": "resident_verified",
        "residence": "verified",
        "municipality": "musterdorf",
        "district": "nord",
    }


async def test_the_export_and_deletion_include_the_declaration(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    person = await factories.person(email="ida@example.org", lives_in=town, district="mitte")
    export = (await client.get("/api/v1/me/export", headers=auth(person))).json()
    assert export["residence"]["municipality"] == "musterdorf"
    assert export["residence"]["district"] == "mitte"
    assert [c["to_district"] for c in export["residence_changes"]] == ["mitte"]
    deleted = await client.request(
        "DELETE", "/api/v1/me", json={"confirm_email": "ida@example.org"}, headers=auth(person)
    )
    assert deleted.status_code == 204
    assert not await ResidenceDeclaration.filter(user_id=person.user_id).exists()
    assert not await ResidenceChange.filter(user_id=person.user_id).exists()
