"""CSRF: cross-site writes are refused by their origin, and tokens follow the session."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.accounts.models import Session, User
from participation.actors import Actor
from server.app import create_app
from server.auth import sign_in_cookies
from server.cookies import ACCESS_COOKIE, CSRF_COOKIE, SESSION_COOKIE
from server.csrf import origin_of
from server.settings import Settings
from tests import factories
from tests.server.pages.test_pages import csrf, sign_in
from tests.support import assert_problem

FOREIGN = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:8001"},
    {"Origin": "https://localhost:8000"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
]
OWN = [
    {"Origin": "http://localhost:8000"},
    {"Origin": "http://LOCALHOST:8000"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {},
]


async def _ask_for_link(client: httpx.AsyncClient, email: str, **headers: str) -> httpx.Response:
    token = await csrf(client)
    data = {"csrf_token": token, "email": email}
    return await client.post("/sign-in", data=data, headers=headers)


@pytest.mark.parametrize("headers", FOREIGN)
async def test_a_form_posted_from_another_site_is_refused_with_a_page(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    refused = await _ask_for_link(client, "x@example.org", **headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Diese Anfrage kam von einer anderen Website" in refused.text
    assert not await User.exists(email="x@example.org")


@pytest.mark.parametrize("headers", OWN)
async def test_a_form_posted_from_this_site_or_without_the_headers_passes(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    sent = await _ask_for_link(client, "x@example.org", **headers)
    assert sent.status_code == 200, sent.text
    assert await User.exists(email="x@example.org")


async def test_every_origin_in_the_origin_list_counts_as_this_site(settings: Settings) -> None:
    wider = dataclasses.replace(
        settings, origins=("http://localhost:8000", "https://www.auftrag.example")
    )
    app = create_app(wider)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            origin = {"Origin": "https://www.auftrag.example"}
            assert (await _ask_for_link(client, "a@example.org", **origin)).status_code == 200
            other = {"Origin": "https://auftrag.example"}
            assert (await _ask_for_link(client, "b@example.org", **other)).status_code == 403


async def test_an_api_write_from_another_site_is_a_problem_and_changes_nothing(
    client: httpx.AsyncClient, auth: Callable[[Actor], dict[str, str]]
) -> None:
    person = await factories.person()
    url = "/api/v1/me/sessions/revoke-all"
    for headers in FOREIGN:
        refused = await client.post(url, json={}, headers=auth(person) | headers)
        body = assert_problem(refused, 403)
        assert "another website" in body["detail"]
    assert await Session.filter(user_id=person.user_id, revoked_at=None).exists()
    # curl and API clients send neither header: bearer calls are not CSRF-able.
    done = await client.post(url, json={}, headers=auth(person))
    assert done.status_code == 200, done.text


async def test_reading_from_another_site_is_not_refused(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in", headers={"Origin": "https://evil.example"})
    assert page.status_code == 200


def test_origins_are_compared_as_browsers_write_them() -> None:
    assert origin_of("https://Example.org:443/x") == "https://example.org"
    assert origin_of("http://localhost:8000") == "http://localhost:8000"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert origin_of("null") is None
    assert origin_of("https://example.org:99999") is None


async def test_a_planted_cookie_and_a_matching_token_do_not_pass(
    client: httpx.AsyncClient,
) -> None:
    """What a sibling subdomain could do against a plain double-submit cookie."""
    client.cookies.set(CSRF_COOKIE, "planted-value-planted-value")
    forged = await client.post(
        "/sign-in", data={"csrf_token": "planted-value-planted-value", "email": "x@example.org"}
    )
    assert forged.status_code == 422
    assert not await User.exists(email="x@example.org")


async def test_a_token_from_another_browser_does_not_pass(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as other:
        theirs = await csrf(other)
    await csrf(client)
    forged = await client.post("/sign-in", data={"csrf_token": theirs, "email": "x@example.org"})
    assert forged.status_code == 422
    assert not await User.exists(email="x@example.org")


async def test_tokens_from_before_signing_in_or_out_do_not_pass(
    client: httpx.AsyncClient,
) -> None:
    before_sign_in = await csrf(client)
    await sign_in(client, "anna@example.org", "Anna")
    # The page flow goes on: the page after signing in carries the new token.
    signed_in = await csrf(client, "/account")
    assert signed_in != before_sign_in
    stale = await client.post(
        "/account/name", data={"csrf_token": before_sign_in, "display_name": "X"}
    )
    assert stale.status_code == 422
    renamed = await client.post(
        "/account/name", data={"csrf_token": signed_in, "display_name": "A."}
    )
    assert renamed.status_code == 303
    assert (await client.post("/sign-out", data={"csrf_token": signed_in})).status_code == 303

    after_sign_out = await csrf(client)
    assert after_sign_out not in {before_sign_in, signed_in}
    for stale_token in (before_sign_in, signed_in):
        refused = await client.post(
            "/sign-in", data={"csrf_token": stale_token, "email": "y@example.org"}
        )
        assert refused.status_code == 422
    sent = await client.post(
        "/sign-in", data={"csrf_token": after_sign_out, "email": "y@example.org"}
    )
    assert sent.status_code == 200
    assert (await User.get(email="anna@example.org")).display_name == "A."


async def test_a_token_made_under_a_former_key_still_passes(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    token = await csrf(client)
    rotated = dataclasses.replace(
        settings, secret_key="a-new-secret-" + "y" * 32, old_secret_keys=(settings.secret_key,)
    )
    app = create_app(rotated)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=client.cookies
        ) as same_browser:
            sent = await same_browser.post(
                "/sign-in", data={"csrf_token": token, "email": "z@example.org"}
            )
            assert sent.status_code == 200


@pytest.fixture
async def https_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    on_https = dataclasses.replace(
        settings,
        base_url="https://auftrag.example",
        origins=("https://auftrag.example",),
        rp_id="auftrag.example",
        secure_cookies=True,
    )
    app = create_app(on_https)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://auftrag.example") as c:
            c.headers["Origin"] = "https://auftrag.example"
            yield c


async def test_on_https_every_cookie_is_host_only(
    https_client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await https_client.get("/sign-in")
    (set_csrf,) = page.headers.get_list("set-cookie")
    assert set_csrf.startswith(f"__Host-{CSRF_COOKIE}=")
    assert "; Path=/;" in set_csrf and "; Secure" in set_csrf and "Domain" not in set_csrf

    done = await sign_in(https_client, "anna@example.org", "Anna")
    cookies = done.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {
        f"__Host-{SESSION_COOKIE}",
        f"__Host-{ACCESS_COOKIE}",
    }
    assert all("; Path=/;" in c and "; Secure" in c and "Domain" not in c for c in cookies)
    page = await https_client.get("/me/mandates")
    assert page.status_code == 200 and "(Anna)" in page.text
    # The session renews from the prefixed cookie alone.
    https_client.cookies.delete(f"__Host-{ACCESS_COOKIE}")
    again = await https_client.get("/me/mandates")
    assert again.status_code == 200 and "(Anna)" in again.text
    # Unprefixed cookies, as a subdomain or plain http could plant them, count for nothing.
    person = await factories.person()
    started = await start_session(person.user_id, BROWSER, "x", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, value = header.decode().split(";", 1)[0].split("=", 1)
        https_client.cookies.set(name, value)
    https_client.cookies.delete(f"__Host-{SESSION_COOKIE}")
    https_client.cookies.delete(f"__Host-{ACCESS_COOKIE}")
    planted = await https_client.get("/me/mandates")
    assert planted.status_code == 303
