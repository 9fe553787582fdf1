"""The inbox page as a browser without JavaScript meets it: the header's unread count,
sentences in her language, grouped unread news, and the forms that mark read."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import Notification
from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories.notifications import notification

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def anna(app: Starlette) -> Actor:
    await factories.municipality("musterdorf", name="Musterdorf")
    return await factories.person(name="Anna")


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    client.cookies.clear()
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def test_the_inbox_speaks_her_language_groups_news_and_marks_read(
    client: httpx.AsyncClient, settings: Settings, anna: Actor
) -> None:
    await notification(anna, subject_id=4, subject_title="Radweg <Nord>")
    newest = await notification(anna, subject_id=4, subject_title="Radweg <Nord>")
    reply = await notification(
        anna, "deliberation:comment:replied", subject_id=5, subject_title="Park", actor_name="Ben"
    )
    await _browse_as(client, settings, anna.user_id)
    page = await client.get("/me/notifications")
    assert page.status_code == 200, page.text
    assert "2 neue Kommentare zu „Radweg &lt;Nord&gt;“." in page.text
    assert "Ben hat auf deinen Kommentar zu „Park“ geantwortet." in page.text
    assert f'href="{newest.data["url"]}"' in page.text
    assert re.search(r"data-inbox-count[^>]*>\(3\)", page.text), "the header counts unread"
    english = await client.get("/me/notifications?lang=en")
    assert "2 new comments on “Radweg &lt;Nord&gt;”." in english.text

    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    marked = await client.post(
        f"/me/notifications/{newest.id}/read",
        data={"csrf_token": token, "next": "/me/notifications"},
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/me/notifications"
    assert await Notification.filter(read_at__isnull=True).count() == 1
    unread = await client.get("/me/notifications?unread=1")
    assert f'id="notification-{reply.id}"' in unread.text
    assert f'id="notification-{newest.id}"' not in unread.text
    forged = await client.post("/me/notifications/read-all", data={"csrf_token": "x"})
    assert forged.status_code in (400, 403, 422)
    assert await Notification.filter(read_at__isnull=True).count() == 1
    everything = await client.post("/me/notifications/read-all", data={"csrf_token": token})
    assert everything.status_code == 303
    assert await Notification.filter(read_at__isnull=True).count() == 0
    empty = await client.get("/me/notifications")
    assert re.search(r"data-inbox-count[^>]*hidden", empty.text)


async def test_signed_out_people_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/me/notifications")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in?next=")
    assert "data-inbox-link" not in (await client.get("/")).text
