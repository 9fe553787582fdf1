"""The browser's passkey ceremonies over HTTP: CSRF, the ceremony cookie, bad bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette

from participation import clock
from participation.accounts.identity.commands import request_sign_in_link
from participation.accounts.models import Passkey, Session, User, WebAuthnChallenge
from server.auth import ACCESS_COOKIE, SESSION_COOKIE
from server.pages.passkeys import CEREMONY_COOKIE, MAX_BODY
from tests.factories.passkeys import SoftAuthenticator
from tests.server.pages.test_pages import csrf, sign_in
from tests.support import assert_problem

Post = Callable[..., Awaitable[httpx.Response]]


def poster(client: httpx.AsyncClient) -> Post:
    """POST JSON as passkeys.js does: with the page's CSRF token in its header."""

    async def post(url: str, body: Any = None, **options: Any) -> httpx.Response:
        # Read afresh each time: the token follows the session, which signing in changes.
        headers = {"X-CSRF-Token": await csrf(client), "Accept": "application/json"}
        if body is not None:
            options["json"] = body
        return await client.post(url, headers=headers | options.pop("headers", {}), **options)

    return post


async def _add_passkey(client: httpx.AsyncClient, key: SoftAuthenticator) -> httpx.Response:
    post = poster(client)
    options = await post("/passkeys/register/options")
    assert options.status_code == 200, options.text
    return await post("/passkeys/register", {"credential": key.register(options.json())})


async def test_add_a_passkey_after_the_link_then_sign_in_with_it_alone(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    linked = await sign_in(client, "anna@example.org", "Anna")
    assert linked.headers["location"] == "/account/security?next=%2Fme%2Fmandates"
    prompt = await client.get(linked.headers["location"])
    assert "Nicht jetzt, weiter" in prompt.text or "Not now, continue" in prompt.text
    assert 'href="/me/mandates"' in prompt.text

    post = poster(client)
    options = await post("/passkeys/register/options")
    cookie = next(c for c in options.headers.get_list("set-cookie") if CEREMONY_COOKIE in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/passkeys" in cookie
    key = SoftAuthenticator()
    added = await post(
        "/passkeys/register",
        {"credential": key.register(options.json()), "name": "Mein Laptop"},
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Mein Laptop"

    # A fresh browser, no email: the passkey alone signs Anna in.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as fresh:
        post = poster(fresh)
        options = await post("/passkeys/sign-in/options")
        assert options.json()["allowCredentials"] == []
        answer = key.sign_in(options.json())
        done = await post("/passkeys/sign-in", {"credential": answer, "next": "/me/mandates"})
        assert done.status_code == 200, done.text
        assert done.json() == {"next": "/me/mandates"}
        cookies = {c.split("=", 1)[0] for c in done.headers.get_list("set-cookie")}
        assert {SESSION_COOKIE, ACCESS_COOKIE} <= cookies
        page = await fresh.get("/me/mandates")
        assert page.status_code == 200 and "(Anna)" in page.text

    # With a passkey, the next emailed link goes straight on.
    _, token = await request_sign_in_link("anna@example.org", next_path="/me/mandates")
    again = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": token}
    )
    assert again.headers["location"] == "/me/mandates"


async def test_sign_in_goes_only_to_paths_on_this_site(client: httpx.AsyncClient) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    key = SoftAuthenticator()
    assert (await _add_passkey(client, key)).status_code == 201
    post = poster(client)
    for target, expected in [("//evil.example/x", "/"), ("https://evil.example", "/"), (7, "/")]:
        options = await post("/passkeys/sign-in/options")
        done = await post(
            "/passkeys/sign-in", {"credential": key.sign_in(options.json()), "next": target}
        )
        assert done.json() == {"next": expected}


async def test_ceremonies_need_the_csrf_header(client: httpx.AsyncClient) -> None:
    await csrf(client)
    for url in ["/passkeys/sign-in/options", "/passkeys/sign-in", "/passkeys/register/options"]:
        response = await client.post(url, json={}, headers={"Accept": "application/json"})
        assert_problem(response, 422, {"csrf_token"})
        forged = await client.post(url, json={}, headers={"X-CSRF-Token": "forged"})
        assert_problem(forged, 422, {"csrf_token"})
    assert not await WebAuthnChallenge.exists()


async def test_adding_a_passkey_needs_a_session(client: httpx.AsyncClient) -> None:
    post = poster(client)
    assert_problem(await post("/passkeys/register/options"), 401)
    assert_problem(await post("/passkeys/register", {"credential": {}}), 401)
    assert not await WebAuthnChallenge.exists()


async def test_an_answer_from_another_browser_is_refused(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    key = SoftAuthenticator()
    await _add_passkey(client, key)
    options = await poster(client)("/passkeys/sign-in/options")
    answer = key.sign_in(options.json())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as elsewhere:
        post = poster(elsewhere)
        await post("/passkeys/sign-in/options")  # a ceremony cookie of its own
        refused = await post("/passkeys/sign-in", {"credential": answer})
        assert_problem(refused, 422, {"credential.response.clientDataJSON"})
        assert not refused.headers.get_list("set-cookie")
    # Still good in the browser it was meant for.
    assert (await poster(client)("/passkeys/sign-in", {"credential": answer})).status_code == 200


async def test_bad_bodies_are_problems_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient,
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    key = SoftAuthenticator()
    await _add_passkey(client, key)
    post = poster(client)
    options = (await post("/passkeys/sign-in/options")).json()
    answer = key.sign_in(options)
    sessions_before = await Session.all().count()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"content": b"{not json"}, "body"),
        ({"content": b"[1, 2]"}, "body"),
        ({"content": b"\xff\xfe"}, "body"),
        ({"content": b"[" * 100_000}, "body"),
        ({"json": {"credential": answer, "pad": "x" * MAX_BODY}}, "body"),
        ({"json": {}}, "credential"),
        ({"json": {"credential": {**answer, "rawId": "!!"}}}, "credential.rawId"),
        ({"json": {"credential": {**answer, "id": "AAAA"}}}, "credential.id"),
    ]
    for options_, field in cases:
        response = await post("/passkeys/sign-in", **options_)
        assert_problem(response, 422, {field})
        assert not response.headers.get_list("set-cookie")
    assert await Session.all().count() == sessions_before
    # The challenge survived the garbage, so the genuine answer still signs in.
    assert (await post("/passkeys/sign-in", {"credential": answer})).status_code == 200

    stranger = SoftAuthenticator().sign_in((await post("/passkeys/sign-in/options")).json())
    unknown = await post("/passkeys/sign-in", {"credential": stranger})
    assert_problem(unknown, 422, {"credential.id"})
    assert not unknown.headers.get_list("set-cookie")

    named = await post("/passkeys/register/options")
    bad_name = await post(
        "/passkeys/register", {"credential": key.register(named.json()), "name": 5}
    )
    assert_problem(bad_name, 422, {"name"})
    assert await Passkey.all().count() == 1


async def test_errors_speak_the_pages_language(client: httpx.AsyncClient) -> None:
    post = poster(client)
    english = await post("/passkeys/sign-in", {"credential": {}}, headers={"Accept-Language": "en"})
    body = assert_problem(english, 422, {"credential.id"})
    assert body["errors"][0]["message"] == "Expected a base64url string."


async def test_a_suspended_person_cannot_sign_in_with_a_passkey(client: httpx.AsyncClient) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    key = SoftAuthenticator()
    await _add_passkey(client, key)
    await User.filter(email="anna@example.org").update(suspended_at=clock.now())
    post = poster(client)
    options = await post("/passkeys/sign-in/options")
    refused = await post("/passkeys/sign-in", {"credential": key.sign_in(options.json())})
    assert_problem(refused, 403)
    assert not refused.headers.get_list("set-cookie")
