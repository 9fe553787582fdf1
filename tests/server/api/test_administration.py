"""Roles and their audit log, verification levels, residents and the portal's attestations."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from participation import clock
from participation.accounts.identity.commands import suspend_user
from participation.accounts.models import RoleChange, User
from participation.accounts.residency.verification import AUDIENCE
from participation.actors import Actor
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories.accounts import signed_in
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(name="Ada Admin", role=Role.ADMIN, municipality=town)


def _base(town: Municipality) -> str:
    return f"/api/v1/municipalities/{town.slug}"


# -- roles ---------------------------------------------------------------------------------


async def test_an_admin_grants_a_role_which_works_at_once_and_is_audited(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    newcomer = await factories.person(email="rat@example.org", name="Rita Rat")
    initiator = await factories.person()
    submitted = await factories.mandate(initiator, town, Status.SUBMITTED)
    move = {"to": "in_review"}
    url = f"/api/v1/mandates/{submitted.id}/transitions"
    assert (await client.post(url, json=move, headers=auth(newcomer))).status_code == 403

    granted = await client.post(
        f"{_base(town)}/roles",
        json={"email": "Rat@Example.org", "role": "council"},
        headers=auth(admin),
    )
    assert granted.status_code == 201
    assert granted.json()["user_id"] == newcomer.user_id
    again = await client.post(
        f"{_base(town)}/roles",
        json={"email": "rat@example.org", "role": "council"},
        headers=auth(admin),
    )
    assert again.status_code == 200
    # The same token: roles are read per request, so the grant counts immediately.
    assert (await client.post(url, json=move, headers=auth(newcomer))).status_code == 200

    members = (await client.get(f"{_base(town)}/roles", headers=auth(admin))).json()["items"]
    assert {(m["display_name"], m["role"]) for m in members} >= {
        ("Rita Rat", "council"),
        ("Ada Admin", "admin"),
    }
    log = (await client.get(f"{_base(town)}/audit-log", headers=auth(admin))).json()["items"]
    assert [(e["role"], e["granted"], e["subject"], e["changed_by"]) for e in log] == [
        ("council", True, "Rita Rat", "Ada Admin")
    ]
    assert log[0]["at"]


async def test_revoking_is_audited_and_the_last_admin_stays(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    council = await factories.council_member(town)
    revoked = await client.delete(
        f"{_base(town)}/roles/{council.user_id}/council", headers=auth(admin)
    )
    assert revoked.status_code == 204
    assert_problem(
        await client.delete(f"{_base(town)}/roles/{council.user_id}/council", headers=auth(admin)),
        404,
    )
    problem = assert_problem(
        await client.delete(f"{_base(town)}/roles/{admin.user_id}/admin", headers=auth(admin)), 409
    )
    assert "administrator" in problem["detail"]
    log = (await client.get(f"{_base(town)}/audit-log", headers=auth(admin))).json()["items"]
    assert [(e["role"], e["granted"]) for e in log] == [("council", False)]


async def test_only_admins_of_this_municipality_manage_roles(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    citizen: Actor,
    council: Actor,
    auth: Auth,
) -> None:
    other = await factories.municipality("anderswo", name="Anderswo")
    admin_elsewhere = await factories.person(role=Role.ADMIN, municipality=other)
    body = {"email": "x@example.org", "role": "council"}
    await factories.person(email="x@example.org")
    for person in (citizen, council, admin_elsewhere):
        assert_problem(
            await client.post(f"{_base(town)}/roles", json=body, headers=auth(person)), 403
        )
        assert_problem(await client.get(f"{_base(town)}/audit-log", headers=auth(person)), 403)
    assert_problem(await client.post(f"{_base(town)}/roles", json=body), 401)
    assert await RoleChange.all().count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "nobody@example.org", "role": "council"}, "email"),
        ({"email": "not an email", "role": "council"}, "email"),
        ({"email": "x@example.org", "role": "mayor"}, "role"),
        ({"email": "x@example.org"}, "role"),
        ({"email": "x@example.org", "role": "council", "extra": 1}, "extra"),
    ],
)
async def test_bad_role_grants_name_the_field(
    client: httpx.AsyncClient,
    town: Municipality,
    admin: Actor,
    auth: Auth,
    body: dict[str, Any],
    field: str,
) -> None:
    await factories.person(email="x@example.org")
    problem = assert_problem(
        await client.post(f"{_base(town)}/roles", json=body, headers=auth(admin)), 422
    )
    assert field in {e["field"] for e in problem["errors"]}
    assert await RoleChange.all().count() == 0


# -- verification levels and residents ---------------------------------------------------------


async def test_a_resident_level_for_co_signing_counts_residents_apart(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, citizen: Actor, auth: Auth
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    resident = await factories.person(email="anwohnerin@example.org")
    set_level = await client.put(
        f"{_base(town)}/verification-levels",
        json={"sign_level": "resident_verified"},
        headers=auth(admin),
    )
    assert set_level.json() == {
        "launch_level": "email_verified",
        "sign_level": "resident_verified",
        "vote_level": "email_verified",
    }
    sign_url = f"/api/v1/mandates/{mandate.id}/signatures"
    refused = assert_problem(await client.post(sign_url, headers=auth(resident)), 403)
    assert refused["needed_level"] == "resident_verified"

    verified = await client.post(
        f"{_base(town)}/residents",
        json={"email": "anwohnerin@example.org", "district": "nord"},
        headers=auth(admin),
    )
    assert verified.status_code == 200
    assert verified.json()["district"] == "nord" and verified.json()["source"] == "admin"
    assert (await client.post(sign_url, headers=auth(resident))).status_code == 201
    assert_problem(await client.post(sign_url, headers=auth(citizen)), 403)

    view = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert (view["signature_count"], view["resident_signature_count"]) == (2, 1)
    me = (await client.get("/api/v1/me", headers=auth(resident))).json()
    assert me["verification"]["resident_verified"] == [
        {"municipality": town.slug, "district": "nord"}
    ]
    assert (await client.delete(sign_url + "/me", headers=auth(resident))).status_code == 204
    view = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert (view["signature_count"], view["resident_signature_count"]) == (1, 0)


async def test_bad_levels_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, council: Actor, auth: Auth
) -> None:
    url = f"{_base(town)}/verification-levels"
    problem = assert_problem(
        await client.put(
            url,
            json={"sign_level": "resident_verified", "vote_level": "famous"},
            headers=auth(admin),
        ),
        422,
    )
    assert [e["field"] for e in problem["errors"]] == ["vote_level"]
    assert_problem(
        await client.put(url, json={"sign_level": "email_verified"}, headers=auth(council)), 403
    )
    await town.refresh_from_db()
    assert town.sign_level == "email_verified"


# -- the service portal's attestations ----------------------------------------------------------


def _pem(private: PrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _attestation(private: PrivateKey, kid: int | None, **claims: Any) -> str:
    now = clock.now()
    body = {
        "iss": "musterdorf",
        "aud": AUDIENCE,
        "email": "anwohner@example.org",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": str(uuid.uuid4()),
        **claims,
    }
    algorithm = "EdDSA" if isinstance(private, ed25519.Ed25519PrivateKey) else "ES256"
    headers = {"kid": str(kid)} if kid is not None else None
    return jwt.encode(body, private, algorithm=algorithm, headers=headers)  # type: ignore[arg-type]


async def _register(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth, private: PrivateKey
) -> int:
    added = await client.post(
        f"{_base(town)}/portal-keys",
        json={"name": "Bürgerportal", "public_key": _pem(private)},
        headers=auth(admin),
    )
    assert added.status_code == 201, added.text
    return int(added.json()["id"])


@pytest.mark.parametrize("curve", ["ed25519", "p256"])
async def test_a_portal_attestation_verifies_residence_once(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth, curve: str
) -> None:
    private: PrivateKey = (
        ed25519.Ed25519PrivateKey.generate()
        if curve == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    kid = await _register(client, town, admin, auth, private)
    person = await factories.person(email="anwohner@example.org")
    token = _attestation(private, kid, district="sued")
    url = f"{_base(town)}/residency-attestations"
    accepted = await client.post(url, json={"attestation": token})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["source"] == "portal" and accepted.json()["district"] == "sued"
    me = (await client.get("/api/v1/me", headers=auth(person))).json()
    assert me["verification"]["resident_verified"] == [
        {"municipality": "musterdorf", "district": "sued"}
    ]
    assert_problem(await client.post(url, json={"attestation": token}), 409)


async def test_attestations_that_must_be_refused(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    kid = await _register(client, town, admin, auth, private)
    stranger = ed25519.Ed25519PrivateKey.generate()
    await factories.person(email="anwohner@example.org")
    now = clock.now()
    refused = {
        "garbage": "not.a.jwt",
        "another key": _attestation(stranger, kid),
        "another key, no kid": _attestation(stranger, None),
        "expired": _attestation(
            private, kid, iat=now - timedelta(minutes=9), exp=now - timedelta(minutes=1)
        ),
        "too long-lived": _attestation(private, kid, exp=now + timedelta(hours=1)),
        "another municipality": _attestation(private, kid, iss="anderswo"),
        "another audience": _attestation(private, kid, aud="someone-else"),
        "nobody": _attestation(private, kid, email="niemand@example.org"),
        "unknown district": _attestation(private, kid, district="atlantis"),
        "no jti": jwt.encode(
            {
                "iss": "musterdorf",
                "aud": AUDIENCE,
                "email": "anwohner@example.org",
                "iat": now,
                "exp": now + timedelta(minutes=5),
            },
            private,
            algorithm="EdDSA",
            headers={"kid": str(kid)},
        ),
    }
    url = f"{_base(town)}/residency-attestations"
    for case, token in refused.items():
        response = await client.post(url, json={"attestation": token})
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == "attestation", case
    revoke = await client.delete(f"{_base(town)}/portal-keys/{kid}", headers=auth(admin))
    assert revoke.status_code == 204
    assert_problem(await client.post(url, json={"attestation": _attestation(private, kid)}), 422)


async def test_a_bad_portal_key_is_refused(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    rsa_like = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    problem = assert_problem(
        await client.post(
            f"{_base(town)}/portal-keys",
            json={"name": "Portal", "public_key": rsa_like},
            headers=auth(admin),
        ),
        422,
    )
    assert problem["errors"][0]["field"] == "public_key"
    private = ed25519.Ed25519PrivateKey.generate()
    spoofed = await client.post(
        f"{_base(town)}/portal-keys",
        json={"name": "Portal\u202e", "public_key": _pem(private)},
        headers=auth(admin),
    )
    assert_problem(spoofed, 422, {"name"})


# -- suspension ---------------------------------------------------------------------------------


async def test_a_suspended_person_is_refused_at_once_and_can_be_let_back(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    headers = auth(citizen)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    email = (await User.get(id=citizen.user_id)).email
    await suspend_user(email)
    assert_problem(await client.get("/api/v1/me", headers=headers), 401)
    await suspend_user(email, suspended=False)
    # Suspension ended the sessions: the old token stays dead, a new sign-in works.
    assert_problem(await client.get("/api/v1/me", headers=headers), 401)
    again = await signed_in(citizen.user_id)
    assert (await client.get("/api/v1/me", headers=auth(again))).status_code == 200


async def test_an_attestation_without_kid_finds_its_key_among_keys_of_both_types(
    client: httpx.AsyncClient, town: Municipality, admin: Actor, auth: Auth
) -> None:
    await _register(client, town, admin, auth, ec.generate_private_key(ec.SECP256R1()))
    private = ed25519.Ed25519PrivateKey.generate()
    await _register(client, town, admin, auth, private)
    await factories.person(email="anwohner@example.org")
    accepted = await client.post(
        f"{_base(town)}/residency-attestations",
        json={"attestation": _attestation(private, None)},
    )
    assert accepted.status_code == 200, accepted.text
