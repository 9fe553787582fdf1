"""The moderation pages as a browser without JavaScript meets them: the queue and its
forms, an account's record, the header's count, and the public log, which never shows
hidden text or who wrote or decided."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.accounts.models import User
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.moderation import commands
from participation.municipalities.models import Municipality
from participation.suspensions.models import Suspension
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import moderation
from tests.factories.deliberation import comment, thread_of

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = "Geheimtext-7c1f über den Nachbarn"


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


@pytest.fixture
async def moderator(town: Municipality) -> Actor:
    return await moderation.moderator(town)


@pytest.fixture
async def author(town: Municipality) -> Actor:
    return await factories.person(name="Berta Beispiel", email="berta@example.org", lives_in=town)


@pytest.fixture
async def thread(town: Municipality, author: Actor) -> Thread:
    return await thread_of(await factories.mandate(author, town))


@pytest.fixture
async def posted(thread: Thread, author: Actor) -> Comment:
    return await comment(author, thread, SECRET)


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    client.cookies.clear()
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def test_a_moderator_works_the_queue_with_forms(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    moderator: Actor,
    posted: Comment,
    thread: Thread,
) -> None:
    await moderation.flagged(posted, 2, "insult")
    await _browse_as(client, settings, moderator.user_id)
    page = await client.get("/m/musterdorf/moderation")
    assert page.status_code == 200, page.text
    assert "Geheimtext-7c1f" in page.text and "Berta Beispiel" in page.text
    assert 'href="/m/musterdorf/moderation"' in page.text
    assert re.search(r"\(1 (offen|open)\)", page.text), "the header counts open items"
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    missing = await client.post(
        f"/comments/{posted.id}/moderation",
        data={
            "csrf_token": token,
            "action": "hide",
            "reason": "",
            "next": "/m/musterdorf/moderation",
        },
    )
    assert missing.status_code == 422
    hidden = await client.post(
        f"/comments/{posted.id}/moderation",
        data={
            "csrf_token": token,
            "action": "hide",
            "reason": "Beleidigung",
            "next": "/m/musterdorf/moderation",
        },
    )
    assert hidden.status_code == 303
    assert hidden.headers["location"] == f"/m/musterdorf/moderation#comment-{posted.id}"
    assert (await Comment.get(id=posted.id)).hidden_reason == "Beleidigung"
    empty = await client.get("/m/musterdorf/moderation")
    assert 'id="queue-empty"' in empty.text
    offsite = await client.post(
        f"/threads/{thread.id}/lock",
        data={"csrf_token": token, "reason": "Ruhe", "next": "https://evil.example/"},
    )
    assert offsite.status_code == 303
    assert offsite.headers["location"].startswith("/mandates/")
    assert offsite.headers["location"].endswith("#discussion")


async def test_the_queue_is_refused_to_citizens_and_sends_strangers_to_sign_in(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, author: Actor
) -> None:
    anonymous = await client.get("/m/musterdorf/moderation")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")
    await _browse_as(client, settings, author.user_id)
    assert (await client.get("/m/musterdorf/moderation")).status_code == 403
    assert "moderation-link" not in (await client.get("/")).text


async def test_a_citizen_flags_and_the_author_asks_for_review_through_forms(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    moderator: Actor,
    author: Actor,
    posted: Comment,
) -> None:
    citizen = await factories.person(lives_in=town)
    await _browse_as(client, settings, citizen.user_id)
    token = await _csrf(client, "/m/musterdorf/moderation-log")
    flagged = await client.post(
        f"/comments/{posted.id}/flags",
        data={"csrf_token": token, "reason": "spam", "next": "/somewhere"},
    )
    assert flagged.status_code == 303 and flagged.headers["location"].endswith(
        f"#comment-{posted.id}"
    )
    again = await client.post(
        f"/comments/{posted.id}/flags", data={"csrf_token": token, "reason": "spam"}
    )
    assert again.status_code == 409
    await commands.hide_comment(moderator, posted.id, "Werbung")
    await _browse_as(client, settings, author.user_id)
    token = await _csrf(client, "/m/musterdorf/moderation-log")
    asked = await client.post(f"/comments/{posted.id}/review-request", data={"csrf_token": token})
    assert asked.status_code == 303
    assert (await Comment.get(id=posted.id)).review_requested_at is not None


async def test_the_account_page_shows_the_record_and_suspends(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    moderator: Actor,
    author: Actor,
    posted: Comment,
) -> None:
    await _browse_as(client, settings, moderator.user_id)
    url = f"/m/musterdorf/moderation/accounts/{author.user_id}"
    page = await client.get(url)
    assert page.status_code == 200, page.text
    assert "Berta Beispiel" in page.text and "Geheimtext-7c1f" in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    bad = await client.post(
        "/m/musterdorf/suspensions",
        data={"csrf_token": token, "user_id": author.user_id, "days": "0", "reason": "Spam"},
    )
    assert bad.status_code == 422
    made = await client.post(
        "/m/musterdorf/suspensions",
        data={"csrf_token": token, "user_id": author.user_id, "days": "7", "reason": "Spam"},
    )
    assert made.status_code == 303 and made.headers["location"] == url
    assert await Suspension.filter(user_id=author.user_id).count() == 1


async def test_the_public_log_never_shows_hidden_text_or_whose_it_was(
    client: httpx.AsyncClient,
    settings: Settings,
    town: Municipality,
    moderator: Actor,
    author: Actor,
    posted: Comment,
    thread: Thread,
) -> None:
    others = [
        await comment(author, thread, f"Zweiter geheimer Text {n} mit Telefon 0171-55{n}")
        for n in range(3)
    ]
    await moderation.flagged(posted, 3, "personal_data")
    await commands.hide_comment(moderator, others[0].id, "Persönliche Daten")
    await commands.hide_comment(moderator, others[1].id, "Beleidigung")
    await commands.restore_comment(moderator, others[1].id, "Doch sachlich")
    await moderation.flagged(others[2], 1)
    await commands.dismiss_flags(moderator, others[2].id, "Regelkonform")
    await commands.lock_thread(moderator, thread.id, "Zu hitzig")
    await commands.suspend_account(
        moderator, town.slug, author.user_id, moderation.later(days=3), "Wiederholt"
    )
    api = await client.get("/api/v1/municipalities/musterdorf/moderation-log?limit=100")
    page = await client.get("/m/musterdorf/moderation-log")
    assert api.status_code == page.status_code == 200
    assert len(api.json()["items"]) == 7
    assert "Persönliche Daten" in page.text and "automatisch" in page.text.lower()
    hidden = await Comment.filter(thread_id=thread.id, hidden_at__isnull=False)
    people = [await User.get(id=p.user_id) for p in (author, moderator)]
    forbidden = [c.body for c in hidden] + [c.body for c in others]
    forbidden += [u.display_name for u in people] + [u.email for u in people]
    forbidden += ["Geheimtext", "Telefon", "0171"]
    for text in (api.text, page.text):
        for secret in forbidden:
            assert secret not in text, secret
    for entry in api.json()["items"]:
        assert "moderator_id" not in entry and "user_id" not in entry
        assert set(entry) == {
            "id",
            "action",
            "subject",
            "comment_id",
            "url",
            "reason",
            "moderator_role",
            "automatic",
            "until",
            "created_at",
        }
