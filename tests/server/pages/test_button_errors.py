"""A refused form of a single button lands back on the page the button is on: 303 there,
and that page shows the problem once, in its error summary at the top of main
(`#refused-summary`), in the reader's language, with nothing written. A thing that is
gone (404) still ends on the error page; a cookie we did not sign shows nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from notifications import follows
from notifications.models import Follow
from participation.actors import Actor
from participation.costs.models import CostAnalysis
from participation.deliberation.models import Comment, Thread
from participation.errors import DomainError, InvalidInput
from participation.mandates.models import Mandate, Status
from participation.moderation import commands as moderation
from participation.moderation.models import ModerationEntry
from participation.municipalities.models import Municipality
from server import notice
from server.settings import Settings
from tests import factories
from tests.factories import costs as cost_factories
from tests.factories.deliberation import comment, thread_of
from tests.factories.moderation import moderator
from tests.server.pages.test_administration import _browse_as

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SUMMARY = 'id="refused-summary"'


@dataclass
class Button:
    """Who presses, the page the button is on, where it posts, what, and what she then
    reads; `unchanged` says that nothing was written."""

    actor: Actor
    page: str
    target: str
    message: str
    data: dict[str, str] = field(default_factory=dict)
    unchanged: Callable[[], Awaitable[bool]] | None = None


Setup = Callable[[Municipality], Awaitable[Button]]


async def _discussion(town: Municipality) -> tuple[Actor, Mandate, Thread]:
    author = await factories.person(name="Anna Autorin", lives_in=town)
    mandate = await factories.mandate(author, town)
    return author, mandate, await thread_of(mandate)


async def _log_entries() -> int:
    return await ModerationEntry.all().count()


async def _lock_a_locked_thread(town: Municipality) -> Button:
    _, mandate, thread = await _discussion(town)
    mona = await moderator(town)
    await moderation.lock_thread(mona, thread.id, "Zu hitzig")
    before = await _log_entries()

    async def unchanged() -> bool:
        return await _log_entries() == before

    page = f"/mandates/{mandate.id}"
    data = {"reason": "Noch einmal", "next": page}
    message = "This discussion is locked already."
    return Button(mona, page, f"/threads/{thread.id}/lock", message, data, unchanged)


async def _unlock_an_open_thread(town: Municipality) -> Button:
    _, mandate, thread = await _discussion(town)
    page = f"/mandates/{mandate.id}"
    data = {"reason": "Wieder offen", "next": page}
    message = "This discussion is not locked."
    return Button(await moderator(town), page, f"/threads/{thread.id}/unlock", message, data)


async def _lock_as_a_citizen(town: Municipality) -> Button:
    author, mandate, thread = await _discussion(town)
    with pytest.raises(DomainError) as refused:
        await moderation.lock_thread(author, thread.id, "Ruhe")

    async def unchanged() -> bool:
        return (await Thread.get(id=thread.id)).locked_at is None

    page = f"/mandates/{mandate.id}"
    data = {"reason": "Ruhe", "next": page}
    return Button(author, page, f"/threads/{thread.id}/lock", refused.value.detail, data, unchanged)


async def _review_of_a_shown_comment(town: Municipality) -> Button:
    author, mandate, thread = await _discussion(town)
    row = await comment(author, thread)

    async def unchanged() -> bool:
        return (await Comment.get(id=row.id)).review_requested_at is None

    page = f"/threads/{thread.id}"
    target = f"/comments/{row.id}/review-request"
    data = {"next": f"{page}#comment-{row.id}"}
    return Button(author, page, target, "This comment is not hidden.", data, unchanged)


async def _follow_what_cannot_be_followed(town: Municipality) -> Button:
    paula = await factories.person(lives_in=town)
    mandate = await factories.mandate(paula, town)
    page = f"/mandates/{mandate.id}"
    data = {"subject_type": "topic", "subject_id": "radwege", "action": "follow", "next": page}
    with pytest.raises(InvalidInput) as refused:
        await follows.follow(paula, "topic", "radwege", None)

    async def unchanged() -> bool:
        return not await Follow.filter(user_id=paula.user_id).exists()

    return Button(paula, page, "/me/follows", refused.value.detail, data, unchanged)


async def _publish_for_a_withdrawn_mandate(town: Municipality) -> Button:
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.SUBMITTED)
    council = await factories.council_member(town)
    analysis = await cost_factories.cost_analysis(council, mandate)
    await Mandate.filter(id=mandate.id).update(status=Status.WITHDRAWN)

    async def unchanged() -> bool:
        return (await CostAnalysis.get(id=analysis.id)).published_revision is None

    page = f"/mandates/{mandate.id}/costs/{analysis.id}"
    message = "Cost analyses are published once a mandate has reached the council."
    return Button(council, page, f"{page}/publish", message, unchanged=unchanged)


BUTTONS = [
    pytest.param(_lock_a_locked_thread, id="lock a locked thread"),
    pytest.param(_unlock_an_open_thread, id="unlock an open thread"),
    pytest.param(_lock_as_a_citizen, id="lock as a citizen"),
    pytest.param(_review_of_a_shown_comment, id="review of a comment not hidden"),
    pytest.param(_follow_what_cannot_be_followed, id="follow a topic of no place"),
    pytest.param(_publish_for_a_withdrawn_mandate, id="publish costs of a withdrawn mandate"),
]


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf")


async def _press(
    client: httpx.AsyncClient, settings: Settings, button: Button, locale: str = "en"
) -> httpx.Response:
    """Open the button's page as its presser and post the button with the page's token."""
    await _browse_as(client, settings, button.actor.user_id)
    client.cookies.set("lang", locale)
    page = await client.get(button.page)
    assert page.status_code == 200, page.text
    assert SUMMARY not in page.text
    token = CSRF.search(page.text)
    assert token, page.text
    return await client.post(button.target, data={"csrf_token": token[1], **button.data})


@pytest.mark.parametrize("setup", BUTTONS)
async def test_a_refused_button_goes_back_to_its_page_which_says_why_once(
    client: httpx.AsyncClient, town: Municipality, settings: Settings, setup: Setup
) -> None:
    button = await setup(town)
    answer = await _press(client, settings, button)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == button.page
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(notice.NOTICE_COOKIE + "=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=60" in cookie
    assert button.unchanged is None or await button.unchanged()

    shown = await client.get(answer.headers["location"])
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    summary = shown.text.split(SUMMARY, 1)[1].split("</div>", 1)[0]
    assert html.escape(button.message) in summary
    opening = shown.text.split(SUMMARY, 1)[0].rsplit("<div", 1)[1]
    assert 'class="error-summary"' in opening and 'role="alert"' in opening
    assert 'tabindex="-1"' in opening
    main = shown.text.split('<main id="main"', 1)[1]
    assert main.split(">", 1)[1].lstrip().startswith('<div class="error-summary"')

    again = await client.get(answer.headers["location"])
    assert SUMMARY not in again.text


async def test_the_page_says_it_in_german_for_a_german_reader(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    button = await _lock_a_locked_thread(town)
    answer = await _press(client, settings, button, locale="de")
    assert answer.status_code == 303
    shown = await client.get(answer.headers["location"])
    assert "Diese Diskussion ist schon geschlossen." in shown.text
    assert "Das war nicht möglich" in shown.text
    assert button.message not in shown.text


async def test_the_message_is_translated_when_shown_not_when_refused(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    button = await _lock_a_locked_thread(town)
    answer = await _press(client, settings, button, locale="en")
    client.cookies.set("lang", "de")
    shown = await client.get(answer.headers["location"])
    assert "Diese Diskussion ist schon geschlossen." in shown.text


@pytest.mark.parametrize(
    "value",
    [
        "Du wurdest gehackt",
        # Signed with another key: the shape is right, the signature is not ours.
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJhdWZ0cmFnOm5vdGljZSIsImV4cCI6OTk5OTk5OTk5OSwibWVzc2FnZXMiOltbIkJvbmpvdXIiLHt9XV19.8Mk3G3y-5JvBO5b8BwAvJf_Ag1jA-Vx9WzqGg5vXbVY",
    ],
)
async def test_a_cookie_we_did_not_sign_shows_nothing_and_is_cleared(
    client: httpx.AsyncClient, town: Municipality, settings: Settings, value: str
) -> None:
    client.cookies.set(notice.NOTICE_COOKIE, value)
    page = await client.get("/m/musterdorf")
    assert page.status_code == 200
    assert SUMMARY not in page.text
    assert "gehackt" not in page.text and "Bonjour" not in page.text
    assert page.headers["set-cookie"].startswith(f"{notice.NOTICE_COOKIE}=;")


async def test_an_expired_notice_shows_nothing(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    token = jwt.encode(
        {"aud": notice.AUDIENCE, "exp": 1, "messages": [["This comment is not hidden.", {}]]},
        settings.secret_key,
        algorithm=notice.ALGORITHM,
    )
    client.cookies.set(notice.NOTICE_COOKIE, token)
    assert SUMMARY not in (await client.get("/m/musterdorf")).text


async def _gone_follow(town: Municipality) -> Button:
    paula = await factories.person(lives_in=town)
    mandate = await factories.mandate(paula, town)
    page = f"/mandates/{mandate.id}"
    data = {"subject_type": "mandate", "subject_id": "999999", "action": "follow", "next": page}
    return Button(paula, page, "/me/follows", "", data)


async def _someone_elses_notification(town: Municipality) -> Button:
    paula = await factories.person(lives_in=town)
    page = "/me/notifications"
    return Button(paula, page, "/me/notifications/999999/read", "", {"next": page})


async def _someone_elses_session(town: Municipality) -> Button:
    paula = await factories.person(lives_in=town)
    page = "/account/security"
    return Button(paula, page, f"{page}/sessions/999999/revoke", "")


async def _a_passkey_gone(town: Municipality) -> Button:
    paula = await factories.person(lives_in=town)
    page = "/account/security"
    return Button(paula, page, f"{page}/passkeys/999999/remove", "")


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(_gone_follow, id="follow a mandate that is gone"),
        pytest.param(_someone_elses_notification, id="mark read a notification not hers"),
        pytest.param(_someone_elses_session, id="revoke a session not hers"),
        pytest.param(_a_passkey_gone, id="remove a passkey that is gone"),
    ],
)
async def test_a_button_for_something_gone_still_ends_on_the_error_page(
    client: httpx.AsyncClient, town: Municipality, settings: Settings, setup: Setup
) -> None:
    button = await setup(town)
    answer = await _press(client, settings, button)
    assert answer.status_code == 404
    assert notice.NOTICE_COOKIE not in answer.headers.get("set-cookie", "")


async def test_a_button_without_its_token_is_not_taken_back(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    button = await _lock_a_locked_thread(town)
    await _browse_as(client, settings, button.actor.user_id)
    answer = await client.post(button.target, data=button.data)
    assert answer.status_code in (400, 403, 422)
    assert notice.NOTICE_COOKIE not in answer.headers.get("set-cookie", "")


async def test_a_stranger_is_still_sent_to_sign_in(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    _, mandate, thread = await _discussion(town)
    answer = await client.post(f"/threads/{thread.id}/lock", data={"reason": "Ruhe"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


async def test_a_button_that_works_still_shows_its_confirmation(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    paula = await factories.person(lives_in=town)
    page = "/account/security"
    button = Button(paula, page, f"{page}/sessions/revoke-others", "")
    answer = await _press(client, settings, button)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}?done=signed-out-others"
    assert notice.NOTICE_COOKIE not in answer.headers.get("set-cookie", "")
    shown = await client.get(answer.headers["location"])
    assert SUMMARY not in shown.text and 'role="status"' in shown.text
