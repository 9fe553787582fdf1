"""What schemathesis found (issue 8, item 6): the document and the server disagreed.

One test per class of finding; `.ci/schemathesis.sh` runs schemathesis itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.permissions import Role
from participation.votes.models import Vote, VoteOption, VoteStatus
from tests import factories
from tests.factories.votes import vote as make_vote
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]

VOTES = "/api/v1/municipalities/musterdorf/votes"


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town, name="Ada Admin")


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/api/openapi.json")).json()


def _vote(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Bürgerhaushalt",
        "rule": "greedy",
        "budget_cents": 100_00,
        "options": [{"title": "Bänke", "cost_cents": 10_00}, {"title": "Radweg", "cost_cents": 2}],
        **overrides,
    }


async def test_a_boolean_is_not_a_number(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    options = [{"title": "Bänke", "cost_cents": False}, {"title": "Radweg", "cost_cents": 2}]
    response = await client.post(VOTES, json=_vote(options=options), headers=auth(council))
    assert_problem(response, 422, {"options.0.cost_cents"})
    for wrong in ({"budget_cents": True}, {"budget_cents": "100"}, {"budget_cents": 1.5}):
        response = await client.post(VOTES, json=_vote(**wrong), headers=auth(council))
        assert_problem(response, 422, {"budget_cents"})
    assert await Vote.all().count() == 0 and await VoteOption.all().count() == 0


async def test_a_whole_number_written_with_a_fraction_is_an_integer(
    client: httpx.AsyncClient, council: Actor, auth: Auth
) -> None:
    # JSON Schema's "integer" includes 100.0, so the server takes it as 100.
    response = await client.post(VOTES, json=_vote(budget_cents=100_00.0), headers=auth(council))
    assert response.status_code == 201, response.text
    assert response.json()["parameters"]["budget_cents"] == 100_00


async def test_an_anonymous_request_with_a_bad_body_is_401(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    for url, method in [
        (VOTES, "POST"),
        ("/api/v1/votes/1", "PATCH"),
        ("/api/v1/municipalities/musterdorf/mandates", "POST"),
        ("/api/v1/me", "PATCH"),
    ]:
        response = await client.request(method, url, json={"title": None, "unknown": 1})
        assert_problem(response, 401)


async def test_a_405_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.request("TRACE", "/api/v1/municipalities/musterdorf/roles")
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    page = await client.request("PUT", "/")
    assert page.status_code == 405 and "allow" in page.headers


async def test_the_event_stream_declares_its_events(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    stream = document["paths"]["/api/v1/mandates/{mandate_id}/timeline/stream"]["get"]
    schema = stream["responses"]["200"]["content"]["text/event-stream"]["schema"]
    events = {e["properties"]["event"]["const"]: e["properties"] for e in schema["oneOf"]}
    assert set(events) == {"timeline", "count"}
    assert events["count"]["data"]["contentMediaType"] == "application/json"
    assert events["count"]["data"]["contentSchema"] == {"$ref": "#/components/schemas/CountOut"}
    assert "last_event_id" in {p["name"] for p in stream["parameters"]}


async def test_roles_and_levels_are_enums_and_others_are_refused_by_name(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, citizen: Actor, auth: Auth
) -> None:
    schemas = (await _document(client))["components"]["schemas"]
    assert set(schemas["Role"]["enum"]) == {r.value for r in Role}
    assert schemas["LevelsIn"]["properties"]["sign_level"]["anyOf"][0] == {
        "$ref": "#/components/schemas/Level"
    }
    base = "/api/v1/municipalities/musterdorf"
    grant = await client.post(
        f"{base}/roles", json={"email": "x@example.org", "role": "mayor"}, headers=auth(admin)
    )
    assert_problem(grant, 422, {"role"})
    levels = await client.put(
        f"{base}/verification-levels", json={"sign_level": "passport"}, headers=auth(admin)
    )
    assert_problem(levels, 422, {"sign_level"})
    revoke = await client.delete(f"{base}/roles/{citizen.user_id}/mayor", headers=auth(admin))
    assert_problem(revoke, 422, {"role"})


async def test_cursors_are_the_digits_the_document_declares(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    document = await _document(client)
    listing = document["paths"]["/api/v1/municipalities"]["get"]
    cursor = next(p for p in listing["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["anyOf"][0]["pattern"] == "^[0-9]{1,9}$"
    for url in [
        "/api/v1/municipalities?cursor=0000000000",
        "/api/v1/municipalities/musterdorf/mandates?cursor=",
        "/api/v1/municipalities/musterdorf/votes?cursor=bmV4dA",
    ]:
        assert_problem(await client.get(url), 422, {"cursor"})
    for url in [
        "/api/v1/municipalities?cursor=000000000",
        "/api/v1/municipalities/musterdorf/mandates?cursor=0",
        "/api/v1/municipalities/musterdorf/votes?cursor=999999999",
    ]:
        assert (await client.get(url)).status_code == 200, url
    sessions = await client.get("/api/v1/me/sessions?cursor=00", headers=auth(citizen))
    assert sessions.status_code == 200


async def test_nul_characters_and_blank_names_are_declared(client: httpx.AsyncClient) -> None:
    schemas = (await _document(client))["components"]["schemas"]
    assert schemas["MandateIn"]["properties"]["body"]["pattern"] == "^[^\\x00]*$"
    display_name = schemas["ProfileIn"]["properties"]["display_name"]
    assert display_name["minLength"] == 1 and display_name["maxLength"] == 80
    assert display_name["not"] == {"pattern": "^\\s*$"}
    attestation = schemas["AttestationIn"]["properties"]["attestation"]
    assert attestation["minLength"] == 1


async def test_a_patch_offers_no_null_where_it_refuses_one(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    schemas = (await _document(client))["components"]["schemas"]
    assert schemas["VotePatch"]["properties"]["title"]["type"] == "string"
    assert "anyOf" not in schemas["VotePatch"]["properties"]["rule"]
    vote = await make_vote(council, town, VoteStatus.DRAFT)
    response = await client.patch(
        f"/api/v1/votes/{vote.id}", json={"title": None}, headers=auth(council)
    )
    assert_problem(response, 422, {"title"})


async def test_a_move_that_needs_a_reason_says_so_in_the_document(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    schemas = (await _document(client))["components"]["schemas"]
    assert schemas["VoteTransitionIn"]["if"]["properties"]["to"]["enum"] == ["cancelled", "closed"]
    assert schemas["VoteTransitionIn"]["then"]["required"] == ["reason"]
    assert schemas["TransitionIn"]["if"]["properties"]["to"]["enum"] == ["rejected"]
    vote = await make_vote(council, town, VoteStatus.PUBLISHED)
    for body in ({"to": "cancelled"}, {"to": "cancelled", "reason": "  "}):
        response = await client.post(
            f"/api/v1/votes/{vote.id}/transitions", json=body, headers=auth(council)
        )
        assert_problem(response, 422, {"reason"})


async def test_a_grant_needs_a_wording_version_in_the_document(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    schema = (await _document(client))["components"]["schemas"]["ConsentIn"]
    assert schema["then"] == {
        "required": ["wording_version"],
        "properties": {"wording_version": {"type": "string"}},
    }
    consent = (await _document(client))["paths"]["/api/v1/me/consents/{topic}"]["put"]
    topic = next(p for p in consent["parameters"] if p["name"] == "topic")
    assert "email_notifications" in topic["schema"]["enum"]
    response = await client.put(
        "/api/v1/me/consents/email_notifications",
        json={"granted": True, "wording_version": None},
        headers=auth(citizen),
    )
    assert_problem(response, 422, {"wording_version"})


async def test_a_receipt_digest_is_declared_as_64_hex_digits(
    client: httpx.AsyncClient, town: Municipality, council: Actor
) -> None:
    receipts = (await _document(client))["paths"]["/api/v1/votes/{vote_id}/receipts"]["get"]
    digest = next(p for p in receipts["parameters"] if p["name"] == "digest")
    assert digest["schema"]["anyOf"][0]["pattern"] == "^[0-9a-f]{64}$"
    vote = await make_vote(council, town, VoteStatus.CLOSED)
    assert_problem(await client.get(f"/api/v1/votes/{vote.id}/receipts?digest="), 422, {"digest"})
