"""The moderation parts of a discussion on a mandate's page, without JavaScript: the
report form for others, the moderators' buttons and lock, the author's appeal."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.mandates.models import Mandate
from participation.moderation import commands
from participation.moderation.models import Flag
from participation.municipalities.models import Municipality
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import moderation
from tests.factories.deliberation import comment, thread_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def author(town: Municipality) -> Actor:
    return await factories.person(name="Berta Beispiel", lives_in=town)


@pytest.fixture
async def mandate(town: Municipality, author: Actor) -> Mandate:
    return await factories.mandate(author, town)


@pytest.fixture
async def thread(mandate: Mandate) -> Thread:
    return await thread_of(mandate)


@pytest.fixture
async def posted(thread: Thread, author: Actor) -> Comment:
    return await comment(author, thread, "Eine *umstrittene* Meinung.")


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    client.cookies.clear()
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


def _token(html: str) -> str:
    match = CSRF.search(html)
    assert match, html
    return match.group(1)


async def test_a_citizen_reports_from_the_mandate_page_and_comes_back_to_the_comment(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    mandate: Mandate,
    posted: Comment,
) -> None:
    citizen = await factories.person(lives_in=town)
    await _browse_as(client, settings, citizen.user_id)
    page = await client.get(f"/mandates/{mandate.id}")
    assert page.status_code == 200, page.text
    assert f'action="/comments/{posted.id}/flags"' in page.text
    assert f'action="/comments/{posted.id}/moderation"' not in page.text
    assert "/lock" not in page.text
    sent = await client.post(
        f"/comments/{posted.id}/flags",
        data={
            "csrf_token": _token(page.text),
            "reason": "other",
            "text": "Werbung",
            "next": f"/mandates/{mandate.id}?sort=oldest",
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/mandates/{mandate.id}?sort=oldest#comment-{posted.id}"
    assert (await Flag.get(comment_id=posted.id)).text == "Werbung"


async def test_the_author_sees_no_report_form_and_appeals_a_hidden_comment(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    author: Actor,
    mandate: Mandate,
    posted: Comment,
) -> None:
    await _browse_as(client, settings, author.user_id)
    page = await client.get(f"/mandates/{mandate.id}")
    assert f'action="/comments/{posted.id}/flags"' not in page.text
    assert "review-request" not in page.text
    await commands.hide_comment(await moderation.moderator(town), posted.id, "Beleidigung")
    page = await client.get(f"/mandates/{mandate.id}")
    assert "Beleidigung" in page.text and "umstrittene" not in page.text
    assert f'action="/comments/{posted.id}/review-request"' in page.text
    asked = await client.post(
        f"/comments/{posted.id}/review-request",
        data={"csrf_token": _token(page.text), "next": f"/mandates/{mandate.id}"},
    )
    assert asked.status_code == 303
    assert (await Comment.get(id=posted.id)).review_requested_at is not None


async def test_a_moderator_hides_and_locks_from_the_mandate_page(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    mandate: Mandate,
    thread: Thread,
    posted: Comment,
) -> None:
    moderator = await moderation.moderator(town)
    await _browse_as(client, settings, moderator.user_id)
    page = await client.get(f"/mandates/{mandate.id}")
    assert f'action="/comments/{posted.id}/moderation"' in page.text
    assert f'action="/threads/{thread.id}/lock"' in page.text
    token = _token(page.text)
    hidden = await client.post(
        f"/comments/{posted.id}/moderation",
        data={
            "csrf_token": token,
            "action": "hide",
            "reason": "Beleidigung",
            "next": f"/mandates/{mandate.id}",
        },
    )
    assert hidden.headers["location"] == f"/mandates/{mandate.id}#comment-{posted.id}"
    locked = await client.post(
        f"/threads/{thread.id}/lock",
        data={"csrf_token": token, "reason": "Zu hitzig", "next": f"/mandates/{mandate.id}"},
    )
    assert locked.headers["location"] == f"/mandates/{mandate.id}#discussion"
    page = await client.get(f"/mandates/{mandate.id}")
    assert f'action="/threads/{thread.id}/unlock"' in page.text
    assert f'action="/comments/{posted.id}/moderation"' in page.text  # restore
    assert (await Thread.get(id=thread.id)).locked_at is not None
