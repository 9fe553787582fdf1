"""Access tokens, key rotation, and browser sessions renewed from their server-side record."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from participation import clock
from participation.accounts.identity.sessions import BROWSER, start_session
from participation.accounts.models import Session
from server import auth
from server.app import create_app
from server.auth import ACCESS_COOKIE, SESSION_COOKIE, issue_token, read_token, sign_in_cookies
from server.settings import Settings
from tests import factories


def test_tokens_name_their_key_and_old_keys_still_verify(settings: Settings) -> None:
    old = dataclasses.replace(settings, secret_key="the-old-key-" + "x" * 40)
    token = issue_token(old, 7, 3)
    assert jwt.get_unverified_header(token)["kid"]
    assert read_token(settings, token) is None
    rotated = dataclasses.replace(settings, old_secret_keys=(old.secret_key,))
    assert read_token(rotated, token) == (7, 3)
    assert read_token(rotated, issue_token(rotated, 8, 4)) == (8, 4)
    # Verified once under the old key, the token still fails once that key is dropped.
    assert read_token(settings, token) is None


def test_a_remembered_token_is_checked_again_once_it_expires(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issue_token(settings, 7, 3, timedelta(minutes=1))
    assert read_token(settings, token) == (7, 3)
    checks: list[str] = []
    monkeypatch.setattr(auth, "_verify", lambda keyring, t: checks.append(t))
    assert read_token(settings, token) == (7, 3)
    assert checks == []
    later = (clock.now() + timedelta(minutes=2)).timestamp()
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert read_token(settings, token) is None
    assert checks == [token]


def test_tokens_without_a_session_or_a_known_key_do_not_count(settings: Settings) -> None:
    now = clock.now()
    claims = {"sub": "7", "iat": now, "exp": now + timedelta(minutes=5), "typ": "access"}
    no_session = jwt.encode(claims, settings.secret_key, "HS256", headers={"kid": "x"})
    assert read_token(settings, no_session) is None
    kid = jwt.get_unverified_header(issue_token(settings, 1, 1))["kid"]
    without_sid = jwt.encode(claims, settings.secret_key, "HS256", headers={"kid": kid})
    assert read_token(settings, without_sid) is None
    assert read_token(settings, issue_token(settings, 7, 3, timedelta(seconds=-1))) is None


def test_access_tokens_are_short_lived_by_default(settings: Settings) -> None:
    claims = jwt.decode(issue_token(settings, 1, 1), settings.secret_key, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == settings.access_minutes * 60 == 15 * 60


async def _browser(client: httpx.AsyncClient, settings: Settings, user_id: int) -> Session:
    started = await start_session(user_id, BROWSER, "Firefox on Linux", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])
    return started.session


@pytest.fixture
async def town(app: Starlette) -> object:
    return await factories.municipality("musterdorf")


async def test_an_expired_access_cookie_is_renewed_from_the_session(
    client: httpx.AsyncClient, settings: Settings, town: object
) -> None:
    person = await factories.person(name="Paula")
    session = await _browser(client, settings, person.user_id)
    client.cookies.delete(ACCESS_COOKIE)
    page = await client.get("/me/mandates")
    assert page.status_code == 200 and "Paula" in page.text
    renewed = [c for c in page.headers.get_list("set-cookie") if c.startswith(ACCESS_COOKIE)]
    assert len(renewed) == 1 and "HttpOnly" in renewed[0] and "Max-Age=900" in renewed[0]
    assert read_token(settings, renewed[0].split("=", 1)[1].split(";")[0]) == (
        person.user_id,
        session.id,
    )
    refreshed = await Session.get(id=session.id)
    assert refreshed.last_used_at > session.last_used_at


async def test_signing_out_everywhere_ends_browser_sessions_at_once(
    client: httpx.AsyncClient, settings: Settings, town: object
) -> None:
    person = await factories.person(name="Paula")
    await _browser(client, settings, person.user_id)
    assert (await client.get("/me/mandates")).status_code == 200
    await Session.filter(user_id=person.user_id).update(revoked_at=clock.now())
    # The access cookie is still unexpired, yet the revoked session no longer counts.
    assert (await client.get("/me/mandates")).status_code == 303
    client.cookies.delete(ACCESS_COOKIE)
    cleared = await client.get("/")
    gone = {c.split("=", 1)[0] for c in cleared.headers.get_list("set-cookie") if "Max-Age=0" in c}
    assert gone == {ACCESS_COOKIE, SESSION_COOKIE}


async def test_a_forged_session_cookie_is_cleared(
    client: httpx.AsyncClient, settings: Settings, town: object
) -> None:
    person = await factories.person()
    session = await _browser(client, settings, person.user_id)
    client.cookies.delete(ACCESS_COOKIE)
    client.cookies.set(SESSION_COOKIE, f"{session.id}.not-the-secret")
    page = await client.get("/")
    assert any(c.startswith(f"{SESSION_COOKIE}=;") for c in page.headers.get_list("set-cookie"))
    assert (await client.get("/me/mandates")).status_code == 303


async def test_cookies_are_secure_outside_localhost(settings: Settings) -> None:
    secure = dataclasses.replace(settings, secure_cookies=True)
    app = create_app(secure)
    async with app.router.lifespan_context(app):
        person = await factories.person()
        started = await start_session(person.user_id, BROWSER, "x", timedelta(hours=1))
        assert all(b"; Secure" in c for c in sign_in_cookies(secure, started))
