"""/api/v1/me/sessions and /api/v1/me/passkeys: one's own sign-ins, listed and ended."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from participation import clock
from participation.accounts.models import Passkey, Session, User
from participation.actors import Actor
from participation.municipalities.models import Municipality
from tests import factories
from tests.factories.accounts import signed_in
from tests.factories.passkeys import passkey
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


async def test_sessions_lists_ones_own_open_sessions_and_marks_this_one(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person(name="Anna")
    other = await signed_in(anna.user_id)
    ended = await signed_in(anna.user_id)
    await Session.filter(id=ended.session_id).update(revoked_at=clock.now())
    await factories.person(name="Ben")

    response = await client.get("/api/v1/me/sessions", headers=auth(anna))
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert {s["id"] for s in body["items"]} == {anna.session_id, other.session_id}
    mine = next(s for s in body["items"] if s["current"])
    assert mine["id"] == anna.session_id
    assert mine["kind"] == "api"
    assert mine["device"] == "tests"
    assert set(mine) == {
        "id",
        "kind",
        "device",
        "created_at",
        "last_used_at",
        "expires_at",
        "current",
    }


async def test_sessions_come_in_pages(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    for _ in range(2):
        await signed_in(anna.user_id)
    first = (await client.get("/api/v1/me/sessions?limit=2", headers=auth(anna))).json()
    assert len(first["items"]) == 2 and first["next"] == "2"
    rest = await client.get(
        f"/api/v1/me/sessions?limit=2&cursor={first['next']}", headers=auth(anna)
    )
    assert len(rest.json()["items"]) == 1 and rest.json()["next"] is None
    seen = {s["id"] for s in first["items"]} | {s["id"] for s in rest.json()["items"]}
    assert len(seen) == 3
    bad = await client.get("/api/v1/me/sessions?cursor=abc", headers=auth(anna))
    assert_problem(bad, 422, {"cursor"})


async def test_revoking_a_session_ends_its_token_at_once(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    phone = await signed_in(anna.user_id)
    assert (await client.get("/api/v1/me", headers=auth(phone))).status_code == 200

    response = await client.delete(f"/api/v1/me/sessions/{phone.session_id}", headers=auth(anna))
    assert response.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=auth(phone)), 401)
    assert (await client.get("/api/v1/me", headers=auth(anna))).status_code == 200
    again = await client.delete(f"/api/v1/me/sessions/{phone.session_id}", headers=auth(anna))
    assert_problem(again, 404)


async def test_nobody_ends_someone_elses_session(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna, ben = await factories.people(2)
    response = await client.delete(f"/api/v1/me/sessions/{ben.session_id}", headers=auth(anna))
    assert_problem(response, 404)
    assert (await client.get("/api/v1/me", headers=auth(ben))).status_code == 200
    huge = await client.delete("/api/v1/me/sessions/99999999999999999999", headers=auth(anna))
    assert huge.status_code == 404


async def test_sign_out_everywhere_else_keeps_this_session(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna, ben = await factories.people(2)
    others = [await signed_in(anna.user_id) for _ in range(2)]
    response = await client.post(
        "/api/v1/me/sessions/revoke-all", json={"keep_current": True}, headers=auth(anna)
    )
    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    for other in others:
        assert_problem(await client.get("/api/v1/me", headers=auth(other)), 401)
    assert (await client.get("/api/v1/me", headers=auth(anna))).status_code == 200
    assert (await client.get("/api/v1/me", headers=auth(ben))).status_code == 200


async def test_sign_out_everywhere_ends_this_session_too(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    other = await signed_in(anna.user_id)
    response = await client.post("/api/v1/me/sessions/revoke-all", json={}, headers=auth(anna))
    assert response.json() == {"revoked": 2}
    assert_problem(await client.get("/api/v1/me/sessions", headers=auth(anna)), 401)
    assert_problem(await client.get("/api/v1/me", headers=auth(other)), 401)


async def test_revoke_all_checks_its_body(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    url = "/api/v1/me/sessions/revoke-all"
    wrong = await client.post(url, json={"keep_current": "perhaps"}, headers=auth(anna))
    assert_problem(wrong, 422, {"keep_current"})
    extra = await client.post(url, json={"keep": True}, headers=auth(anna))
    assert_problem(extra, 422, {"keep"})
    assert await Session.filter(revoked_at=None).count() == 1


async def test_a_suspended_person_is_refused_with_a_token_still_valid(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    await passkey(anna)
    headers = auth(anna)
    assert (await client.get("/api/v1/me/sessions", headers=headers)).status_code == 200
    await User.filter(id=anna.user_id).update(suspended_at=clock.now())
    assert_problem(await client.get("/api/v1/me/sessions", headers=headers), 401)
    assert_problem(await client.get("/api/v1/me/passkeys", headers=headers), 401)
    revoke = await client.post("/api/v1/me/sessions/revoke-all", json={}, headers=headers)
    assert_problem(revoke, 401)


async def test_signed_out_callers_get_401(client: httpx.AsyncClient, town: Municipality) -> None:
    for method, url in [
        ("GET", "/api/v1/me/sessions"),
        ("DELETE", "/api/v1/me/sessions/1"),
        ("GET", "/api/v1/me/passkeys"),
        ("DELETE", "/api/v1/me/passkeys/1"),
    ]:
        assert_problem(await client.request(method, url), 401)
    assert_problem(await client.post("/api/v1/me/sessions/revoke-all", json={}), 401)
    assert_problem(await client.patch("/api/v1/me/passkeys/1", json={"name": "x"}), 401)


async def test_passkeys_are_listed_renamed_and_removed(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna, ben = await factories.people(2)
    laptop, _ = await passkey(anna, name="Laptop")
    phone, _ = await passkey(anna, name="Phone")
    bens, _ = await passkey(ben, name="Bens")

    listed = (await client.get("/api/v1/me/passkeys", headers=auth(anna))).json()
    assert [p["name"] for p in listed["items"]] == ["Laptop", "Phone"]
    assert listed["next"] is None
    assert listed["items"][0] == {
        "id": laptop.id,
        "name": "Laptop",
        "created_at": listed["items"][0]["created_at"],
        "last_used_at": None,
        "backed_up": False,
        "transports": ["internal", "hybrid"],
    }

    renamed = await client.patch(
        f"/api/v1/me/passkeys/{phone.id}", json={"name": "Pixel"}, headers=auth(anna)
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Pixel"

    assert (
        await client.delete(f"/api/v1/me/passkeys/{laptop.id}", headers=auth(anna))
    ).status_code == 204
    assert await Passkey.filter(user_id=anna.user_id).count() == 1
    gone = await client.delete(f"/api/v1/me/passkeys/{laptop.id}", headers=auth(anna))
    assert_problem(gone, 404)

    # Ben's passkey is out of Anna's reach.
    stolen = await client.patch(
        f"/api/v1/me/passkeys/{bens.id}", json={"name": "Mine"}, headers=auth(anna)
    )
    assert_problem(stolen, 404)
    assert_problem(await client.delete(f"/api/v1/me/passkeys/{bens.id}", headers=auth(anna)), 404)
    assert (await Passkey.get(id=bens.id)).name == "Bens"


async def test_a_passkey_name_is_checked(
    client: httpx.AsyncClient, town: Municipality, auth: Auth
) -> None:
    anna = await factories.person()
    key, _ = await passkey(anna, name="Laptop")
    url = f"/api/v1/me/passkeys/{key.id}"
    for name in ["", "x" * 81, "nul\x00", "Laptop\u202e", "Lap\ntop"]:
        response = await client.patch(url, json={"name": name}, headers=auth(anna))
        assert_problem(response, 422, {"name"})
    blank = await client.patch(url, json={"name": "   "}, headers=auth(anna))
    assert_problem(blank, 422, {"name"})
    assert_problem(await client.patch(url, content=b"{", headers=auth(anna)), 422, {"body"})
    assert (await Passkey.get(id=key.id)).name == "Laptop"


async def test_the_openapi_document_describes_them(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/me/sessions"]) == {"get"}
    assert set(paths["/api/v1/me/sessions/{session_id}"]) == {"delete"}
    assert set(paths["/api/v1/me/sessions/revoke-all"]) == {"post"}
    assert set(paths["/api/v1/me/passkeys"]) == {"get"}
    assert set(paths["/api/v1/me/passkeys/{passkey_id}"]) == {"patch", "delete"}
