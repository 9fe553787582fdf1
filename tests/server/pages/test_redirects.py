"""Every way a page, a redirect or the passkey script can send someone on stays on this site."""

from __future__ import annotations

import secrets
from datetime import timedelta

import httpx
import pytest

from participation import clock
from participation.accounts.identity.sessions import _hash
from participation.accounts.models import SignInToken, User
from server.pages.passkeys import ADDED
from tests import factories
from tests.factories.passkeys import SoftAuthenticator
from tests.server.pages.test_pages import csrf, sign_in
from tests.server.pages.test_passkeys import _add_passkey, poster
from tests.server.pages.test_security import browser

ATTACKS = [
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/%09/evil.example/x",
    "/%0A/evil.example/x",
    "/\\evil.example",
    "/%5Cevil.example",
    "//evil.example/x",
    "https://evil.example/x",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("attack", ATTACKS)
async def test_the_sign_in_page_hands_its_script_and_form_only_a_safe_path(
    client: httpx.AsyncClient, attack: str
) -> None:
    page = await client.get("/sign-in", params={"next": attack})
    assert page.status_code == 200
    assert 'data-passkey-sign-in data-next="/"' in page.text
    assert '<input type="hidden" name="next" value="/">' in page.text
    # Only the language switch keeps the query, as a link to this same page.
    assert page.text.count("evil.example") <= 1
    assert 'href="/sign-in?next=' in page.text


@pytest.mark.parametrize("attack", ATTACKS)
async def test_a_requested_link_stores_only_a_safe_path(
    client: httpx.AsyncClient, attack: str
) -> None:
    token = await csrf(client)
    sent = await client.post(
        "/sign-in", data={"csrf_token": token, "email": "kai@example.org", "next": attack}
    )
    assert sent.status_code == 200
    assert await SignInToken.filter(user__email="kai@example.org").values_list(
        "next_path", flat=True
    ) == ["/"]


async def test_a_link_stored_before_the_fix_still_redirects_only_here(
    client: httpx.AsyncClient,
) -> None:
    user = await User.create(email="alt@example.org", display_name="Alt")
    plain = secrets.token_urlsafe(32)
    await SignInToken.create(
        user_id=user.id,
        token_hash=_hash(plain),
        expires_at=clock.now() + timedelta(minutes=15),
        next_path="/\t/evil.example/x",
    )
    done = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": plain}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/account/security?next=%2F"


@pytest.mark.parametrize("attack", ATTACKS)
async def test_the_security_page_goes_on_only_to_a_safe_path(
    client: httpx.AsyncClient, settings: object, attack: str
) -> None:
    anna = await factories.person()
    await browser(client, settings, anna)  # type: ignore[arg-type]
    page = await client.get("/account/security", params={"next": attack, "lang": "en"})
    assert page.status_code == 200
    assert '<a href="/">Not now, continue</a>' in page.text
    assert 'data-passkey-register data-next="/"' in page.text
    assert page.text.count("evil.example") <= 1, "only in the language switch's own query"


async def test_the_passkey_ceremonies_answer_with_a_safe_path_only(
    client: httpx.AsyncClient,
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    post = poster(client)
    first = SoftAuthenticator()
    options = await post("/passkeys/register/options")
    added = await post(
        "/passkeys/register", {"credential": first.register(options.json()), "next": ATTACKS[0]}
    )
    assert added.status_code == 201, added.text
    assert added.json()["next"] == ADDED
    options = await post("/passkeys/register/options")
    second = await post(
        "/passkeys/register",
        {"credential": SoftAuthenticator().register(options.json()), "next": "/me/mandates"},
    )
    assert second.json()["next"] == "/me/mandates"
    plain = await _add_passkey(client, SoftAuthenticator())
    assert plain.json()["next"] == ADDED

    for attack in ATTACKS:
        options = await post("/passkeys/sign-in/options")
        done = await post(
            "/passkeys/sign-in", {"credential": first.sign_in(options.json()), "next": attack}
        )
        assert done.status_code == 200, done.text
        assert done.json() == {"next": "/"}


async def test_the_language_switch_is_a_path_whatever_the_host_header(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/sign-in?next=/me&lang=de", headers={"Host": "evil.example"})
    assert 'href="/sign-in?next=%2Fme&amp;lang=en"' in page.text
    assert "evil.example" not in page.text
    odd = await client.get("http://testserver//evil.example/x")
    assert odd.status_code == 404
    assert 'href="/?lang=en"' in odd.text
    assert "//evil.example" not in odd.text
