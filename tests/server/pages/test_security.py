"""The security page: passkeys and signed-in devices, managed with plain forms."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from starlette.applications import Starlette

from participation.accounts.identity import sessions
from participation.accounts.identity.passkeys import POSSIBLE_CLONE
from participation.accounts.models import Passkey, SecurityEvent, Session
from participation.actors import Actor
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories.passkeys import passkey
from tests.server.pages.test_pages import csrf

PAGE = "/account/security"


async def browser(client: httpx.AsyncClient, settings: Settings, person: Actor) -> int:
    """Put a browser session of `person` into `client`'s cookies; returns its id."""
    started = await sessions.start_session(
        person.user_id, sessions.BROWSER, "Firefox on Linux", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        name, value = header.decode().split(";", 1)[0].split("=", 1)
        client.cookies.set(name, value)
    return started.session.id


async def test_the_page_needs_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/account/security"


async def test_the_page_lists_passkeys_and_devices_with_this_one_marked(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna = await factories.person(name="Anna")
    await passkey(anna, name="Arbeitslaptop")
    here = await browser(client, settings, anna)
    page = await client.get(PAGE + "?lang=en")
    assert page.status_code == 200
    assert "Arbeitslaptop" in page.text
    assert "Firefox on Linux" in page.text
    assert page.text.count("this device") == 1
    assert f'action="/account/security/sessions/{here}/revoke"' in page.text
    assert f'action="/account/security/sessions/{anna.session_id}/revoke"' in page.text
    assert 'href="/account/security"' in page.text, "linked from the navigation"
    assert "data-passkey-register" in page.text and "/static/passkeys.js" in page.text


async def test_rename_and_remove_a_passkey(client: httpx.AsyncClient, settings: Settings) -> None:
    anna, ben = await factories.people(2)
    laptop, _ = await passkey(anna, name="Laptop")
    bens, _ = await passkey(ben, name="Bens")
    await browser(client, settings, anna)
    token = await csrf(client, PAGE)

    renamed = await client.post(
        f"{PAGE}/passkeys/{laptop.id}/rename", data={"csrf_token": token, "name": "ThinkPad"}
    )
    assert renamed.status_code == 303
    assert renamed.headers["location"] == f"{PAGE}?done=renamed"
    assert (await Passkey.get(id=laptop.id)).name == "ThinkPad"

    too_long = await client.post(
        f"{PAGE}/passkeys/{laptop.id}/rename", data={"csrf_token": token, "name": "x" * 81}
    )
    assert too_long.status_code == 422
    assert f'id="rename-{laptop.id}-error"' in too_long.text
    assert (await Passkey.get(id=laptop.id)).name == "ThinkPad"

    forged = await client.post(f"{PAGE}/passkeys/{laptop.id}/remove", data={"csrf_token": "x"})
    assert forged.status_code == 422
    assert await Passkey.exists(id=laptop.id)

    others = await client.post(f"{PAGE}/passkeys/{bens.id}/remove", data={"csrf_token": token})
    assert others.status_code == 404
    assert await Passkey.exists(id=bens.id)

    removed = await client.post(f"{PAGE}/passkeys/{laptop.id}/remove", data={"csrf_token": token})
    assert removed.headers["location"] == f"{PAGE}?done=removed"
    assert not await Passkey.exists(id=laptop.id)


async def test_sign_out_one_device_then_everywhere_else_then_everywhere(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    anna = await factories.person()
    here = await browser(client, settings, anna)
    others = [
        await sessions.start_session(
            anna.user_id, sessions.BROWSER, "Safari on iOS", timedelta(hours=1)
        )
        for _ in range(2)
    ]
    token = await csrf(client, PAGE)

    one = await client.post(
        f"{PAGE}/sessions/{others[0].session.id}/revoke", data={"csrf_token": token}
    )
    assert one.headers["location"] == f"{PAGE}?done=signed-out"
    assert await Session.filter(revoked_at=None, user_id=anna.user_id).count() == 3

    rest = await client.post(f"{PAGE}/sessions/revoke-others", data={"csrf_token": token})
    assert rest.headers["location"] == f"{PAGE}?done=signed-out-others"
    open_ids = await Session.filter(revoked_at=None).values_list("id", flat=True)
    assert open_ids == [here]
    assert (await client.get(PAGE)).status_code == 200

    everywhere = await client.post(f"{PAGE}/sessions/revoke-all", data={"csrf_token": token})
    assert everywhere.headers["location"] == "/"
    cleared = everywhere.headers.get_list("set-cookie")
    assert all("Max-Age=0" in c for c in cleared) and len(cleared) == 2
    assert not await Session.filter(revoked_at=None).exists()


async def test_signing_out_this_device_from_the_list(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna = await factories.person()
    here = await browser(client, settings, anna)
    token = await csrf(client, PAGE)
    done = await client.post(f"{PAGE}/sessions/{here}/revoke", data={"csrf_token": token})
    assert done.headers["location"] == "/"
    assert (await client.get(PAGE)).status_code == 303


async def test_another_persons_session_is_not_found(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna, ben = await factories.people(2)
    await browser(client, settings, anna)
    token = await csrf(client, PAGE)
    response = await client.post(
        f"{PAGE}/sessions/{ben.session_id}/revoke", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert await Session.filter(id=ben.session_id, revoked_at=None).exists()


async def test_the_prompt_after_a_link_and_a_clone_warning(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna = await factories.person()
    await browser(client, settings, anna)
    prompt = await client.get(PAGE + "?next=/m/demo&lang=en")
    assert "Sign in faster next time: add a passkey" in prompt.text
    assert '<a href="/m/demo">Not now, continue</a>' in prompt.text
    assert prompt.text.count('id="passkey-name"') == 1
    elsewhere = await client.get(PAGE + "?next=//evil.example&lang=en")
    assert 'href="//evil.example"' not in elsewhere.text

    key, _ = await passkey(anna, name="Laptop")
    await SecurityEvent.create(
        user_id=anna.user_id,
        kind=POSSIBLE_CLONE,
        data={"passkey_id": key.id, "passkey_name": "Laptop"},
    )
    warned = await client.get(PAGE + "?next=/m/demo&lang=en")
    assert "Sign in faster next time" not in warned.text, "she has a passkey now"
    assert re.search(r"A copy of your passkey may exist", warned.text)
    assert "“Laptop”" in warned.text
