"""The person's own data through the API: export, deletion, consents and the display name."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from participation.accounts.identity import consent
from participation.accounts.identity.commands import request_sign_in_link
from participation.accounts.identity.consent import (
    EMAIL_NOTIFICATIONS,
    SERVICE_VISIT_INVITATIONS,
    Topic,
)
from participation.accounts.models import Consent, Passkey, Session, SignInToken, User
from participation.accounts.residency import verification as residency
from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.api.account_schemas import AccountExport
from tests import factories
from tests.factories.accounts import signed_in
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]
EMAIL = "vera@example.org"


@pytest.fixture
async def vera(town: Municipality) -> Actor:
    """A verified resident of the town."""
    person = await factories.person(email=EMAIL, name="Vera")
    admin = await factories.person(role=Role.ADMIN, municipality=town, name="Amt")
    await residency.verify_resident(admin, town.slug, EMAIL)
    return await signed_in(person.user_id)


async def test_the_export_is_the_whole_document_without_secrets(
    client: httpx.AsyncClient, town: Municipality, vera: Actor, auth: Auth
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, title="Bänke")
    assert (
        await client.post(f"/api/v1/mandates/{mandate.id}/signatures", headers=auth(vera))
    ).status_code == 201
    await Passkey.create(
        user_id=vera.user_id, credential_id="cred-vera", public_key="pk-vera", name="Handy"
    )
    await request_sign_in_link(EMAIL)

    response = await client.get("/api/v1/me/export", headers=auth(vera))
    assert response.status_code == 200
    document = response.json()
    AccountExport.model_validate(document)
    assert document["profile"]["email"] == EMAIL
    assert document["residencies"][0]["municipality"] == "musterdorf"
    assert document["signatures"][0]["mandate_id"] == mandate.id
    assert document["passkeys"][0]["name"] == "Handy"
    assert len(document["sign_in_links"]) == 1
    text = response.text
    for session in await Session.filter(user_id=vera.user_id):
        assert session.secret_hash not in text
    for token in await SignInToken.filter(user_id=vera.user_id):
        assert token.token_hash not in text
    assert "pk-vera" not in text and "cred-vera" not in text

    assert_problem(await client.get("/api/v1/me/export"), 401)


async def test_deleting_the_account_changes_no_count_and_ends_her_tokens(
    client: httpx.AsyncClient, town: Municipality, vera: Actor, auth: Auth
) -> None:
    headers = auth(vera)
    initiator = await factories.person(name="Ines")
    signed = await factories.mandate(initiator, town, title="Radweg")
    own = await factories.mandate(vera, town, title="Veras Spielplatz")
    draft = await factories.mandate(vera, town, Status.DRAFT, title="Veras Entwurf")
    sign = await client.post(f"/api/v1/mandates/{signed.id}/signatures", headers=headers)
    assert sign.json()["signature_count"] == 2
    await factories.sign_until_quorum(signed.id)
    await factories.sign_until_quorum(own.id)

    async def public(mandate_id: int) -> tuple[dict, list]:
        view = (await client.get(f"/api/v1/mandates/{mandate_id}")).json()
        timeline = (await client.get(f"/api/v1/mandates/{mandate_id}/timeline")).json()["items"]
        return view, timeline

    before = {m: await public(m) for m in (signed.id, own.id)}
    assert before[signed.id][0]["status"] == "submitted"
    assert before[signed.id][0]["resident_signature_count"] == 1
    assert before[own.id][0]["initiator"] == {"display_name": "Vera"}

    deleted = await client.request(
        "DELETE", "/api/v1/me", json={"confirm_email": EMAIL}, headers=headers
    )
    assert deleted.status_code == 204
    assert deleted.content == b""

    assert_problem(await client.get("/api/v1/me", headers=headers), 401)
    after = {m: await public(m) for m in (signed.id, own.id)}
    for mandate_id, (view, timeline) in before.items():
        view_after, timeline_after = after[mandate_id]
        for field in ("signature_count", "resident_signature_count", "quorum", "status"):
            assert view_after[field] == view[field], field
        assert [(e["id"], e["kind"], e["data"]) for e in timeline_after] == [
            (e["id"], e["kind"], e["data"]) for e in timeline
        ]
    assert after[own.id][0]["initiator"] is None
    assert all(e["actor"] is None for e in after[own.id][1])
    assert not await Mandate.exists(id=draft.id)
    assert not await Passkey.exists(user_id=vera.user_id)
    assert not await User.exists(email=EMAIL)


@pytest.mark.parametrize(
    "body",
    [{"confirm_email": "someone@example.org"}, {"confirm_email": ""}, {}, {"confirm_email": None}],
)
async def test_a_wrong_confirmation_is_refused_naming_the_field(
    client: httpx.AsyncClient, vera: Actor, auth: Auth, body: dict
) -> None:
    response = await client.request("DELETE", "/api/v1/me", json=body, headers=auth(vera))
    assert_problem(response, 422, {"confirm_email"})
    assert (await client.get("/api/v1/me", headers=auth(vera))).status_code == 200


async def test_deletion_needs_a_bearer_token_and_a_body(
    client: httpx.AsyncClient, vera: Actor, auth: Auth
) -> None:
    assert_problem(await client.request("DELETE", "/api/v1/me", json={"confirm_email": EMAIL}), 401)
    assert_problem(await client.request("DELETE", "/api/v1/me", headers=auth(vera)), 422, {"body"})
    assert await User.exists(email=EMAIL)


async def test_consents_are_listed_granted_and_withdrawn(
    client: httpx.AsyncClient, vera: Actor, auth: Auth
) -> None:
    listed = await client.get("/api/v1/me/consents", headers=auth(vera) | {"Accept-Language": "en"})
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["topic"], i["granted"], i["wording_version"]) for i in items] == [
        (EMAIL_NOTIFICATIONS, False, None),
        (SERVICE_VISIT_INVITATIONS, False, None),
    ]
    assert items[0]["wording"] == consent.TOPICS[EMAIL_NOTIFICATIONS].wording("en")
    assert items[0]["current_version"] == "1"

    url = f"/api/v1/me/consents/{EMAIL_NOTIFICATIONS}"
    granted = await client.put(
        url, json={"granted": True, "wording_version": "1"}, headers=auth(vera)
    )
    assert granted.status_code == 200
    assert granted.json()["granted"] is True
    assert granted.json()["changed_at"]
    withdrawn = await client.put(url, json={"granted": False}, headers=auth(vera))
    assert withdrawn.json()["granted"] is False
    rows = (
        await Consent.filter(user_id=vera.user_id)
        .order_by("id")
        .values_list("granted", "wording_version")
    )
    assert list(rows) == [(True, "1"), (False, "1")]


async def test_bad_consent_requests_are_problems_and_store_nothing(
    client: httpx.AsyncClient, vera: Actor, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/api/v1/me/consents/{EMAIL_NOTIFICATIONS}"
    headers = auth(vera)
    missing = await client.put(url, json={"granted": True}, headers=headers)
    assert_problem(missing, 422, {"wording_version"})
    unknown = await client.put(url, json={"granted": True, "wording_version": "9"}, headers=headers)
    assert_problem(unknown, 422, {"wording_version"})
    extra = await client.put(
        url, json={"granted": True, "wording_version": "1", "x": 1}, headers=headers
    )
    assert_problem(extra, 422, {"x"})
    nowhere = await client.put(
        "/api/v1/me/consents/newsletter",
        json={"granted": True, "wording_version": "1"},
        headers=headers,
    )
    assert_problem(nowhere, 404)
    assert_problem(await client.put(url, json={"granted": False}), 401)

    topic = consent.TOPICS[EMAIL_NOTIFICATIONS]
    reworded = Topic(topic.name, topic.title, {**topic.wordings, "2": {"de": "Neu.", "en": "New."}})
    monkeypatch.setitem(consent.TOPICS, EMAIL_NOTIFICATIONS, reworded)
    outdated = await client.put(
        url, json={"granted": True, "wording_version": "1"}, headers=headers
    )
    assert assert_problem(outdated, 409)["current_version"] == "2"
    assert not await Consent.exists(user_id=vera.user_id)


async def test_the_display_name_can_change(
    client: httpx.AsyncClient, vera: Actor, auth: Auth
) -> None:
    changed = await client.patch(
        "/api/v1/me", json={"display_name": " Vera  V. "}, headers=auth(vera)
    )
    assert changed.status_code == 200
    assert changed.json()["display_name"] == "Vera V."
    assert changed.json()["email"] == EMAIL
    empty = await client.patch("/api/v1/me", json={"display_name": " "}, headers=auth(vera))
    assert_problem(empty, 422, {"display_name"})
    for name in ["Vera\u202e", "Vera\nV."]:
        spoof = await client.patch("/api/v1/me", json={"display_name": name}, headers=auth(vera))
        assert_problem(spoof, 422, {"display_name"})
    assert (await User.get(id=vera.user_id)).display_name == "Vera V."


async def test_the_endpoints_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    paths = document["paths"]
    assert set(paths["/api/v1/me"]) == {"get", "patch", "delete"}
    assert "204" in paths["/api/v1/me"]["delete"]["responses"]
    assert "422" in paths["/api/v1/me"]["delete"]["responses"]
    assert paths["/api/v1/me/export"]["get"]["responses"]["200"]["content"]
    assert "409" in paths["/api/v1/me/consents/{topic}"]["put"]["responses"]
    assert "get" in paths["/api/v1/me/consents"]
    json.dumps(document)
