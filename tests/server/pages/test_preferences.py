"""The notification settings page and the follow buttons, as a browser without
JavaScript uses them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from notifications.kinds import Kind, registered
from notifications.models import Follow, NotificationPreference, NotificationSettings
from participation.accounts.identity import sessions
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, has_consent
from participation.actors import Actor
from participation.mandates.models import Signature
from participation.municipalities.models import District, Municipality
from participation.votes.models import VoteStatus
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.factories import notifications
from tests.factories.votes import vote

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE = "/me/notifications/settings"


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def paula(town: Municipality) -> Actor:
    return await factories.person(email="paula@example.org", name="Paula")


@pytest.fixture
def kinds() -> Iterator[tuple[Kind, ...]]:
    with notifications.registered() as declared:
        yield declared


@pytest.fixture
async def browser(client: httpx.AsyncClient, settings: Settings, paula: Actor) -> httpx.AsyncClient:
    started = await sessions.start_session(
        paula.user_id, sessions.BROWSER, "Firefox on Linux", timedelta(hours=1)
    )
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])
    client.cookies.set("lang", "en")
    return client


async def _csrf(client: httpx.AsyncClient, path: str = PAGE) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def _form(token: str, **fields: str) -> dict[str, str]:
    """What the page's form sends: every kind's current defaults, then the test's own."""
    values = {
        f"{channel}:{event}": cadence.value
        for event, kind in registered().items()
        for channel, cadence in (("email", kind.email), ("inbox", kind.inbox))
        if channel == "email" or kind.optional
    }
    values |= {
        "csrf_token": token,
        "quiet_hours": "yes",
        "quiet_from": "22",
        "quiet_until": "7",
        "language": "de",
        f"email:{notifications.QUORUM}": "immediate",
        f"inbox:{notifications.QUORUM}": "immediate",
        f"email:{notifications.DIGESTED}": "weekly",
        f"inbox:{notifications.DIGESTED}": "immediate",
        f"email:{notifications.HIDDEN}": "immediate",
        f"{EMAIL_NOTIFICATIONS}_version": "1",
    }
    values.update(fields)
    return values


async def test_the_page_needs_signing_in(client: httpx.AsyncClient, town: Municipality) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == f"/sign-in?next={PAGE}"


async def test_the_page_shows_every_kind_by_category_with_its_channels(
    browser: httpx.AsyncClient, kinds: tuple[Kind, ...]
) -> None:
    page = await browser.get(PAGE)
    assert page.status_code == 200
    assert "<caption>Priority votes</caption>" in page.text
    assert "<caption>Moderation of your comments</caption>" in page.text
    assert f'name="inbox:{notifications.QUORUM}"' in page.text
    assert f'name="inbox:{notifications.HIDDEN}"' not in page.text  # fixed: always
    assert f'name="email:{notifications.HIDDEN}"' in page.text
    assert '<option value="weekly" selected>weekly digest</option>' in page.text
    assert 'name="quiet_hours" value="yes" checked' in page.text
    assert f'name="{EMAIL_NOTIFICATIONS}" value="yes"' in page.text
    assert "You follow nothing yet." in page.text


async def test_saving_the_form_changes_choices_hours_language_and_consent(
    browser: httpx.AsyncClient, paula: Actor, kinds: tuple[Kind, ...]
) -> None:
    token = await _csrf(browser)
    saved = await browser.post(
        PAGE,
        data=_form(
            token,
            quiet_from="21",
            quiet_until="6",
            language="en",
            **{
                f"email:{notifications.QUORUM}": "daily",
                f"inbox:{notifications.DIGESTED}": "off",
                EMAIL_NOTIFICATIONS: "yes",
            },
        ),
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{PAGE}?saved=settings"
    stored = await NotificationPreference.filter(user_id=paula.user_id).values_list(
        "event", "channel", "cadence"
    )
    assert sorted(stored) == [
        (notifications.QUORUM, "email", "daily"),
        (notifications.DIGESTED, "inbox", "off"),
    ]
    settings = await NotificationSettings.get(user_id=paula.user_id)
    assert (settings.quiet_hours, settings.quiet_from, settings.quiet_until) == (True, 21, 6)
    assert settings.language == "en"
    assert await has_consent(paula.user_id, EMAIL_NOTIFICATIONS)
    page = await browser.get(saved.headers["location"])
    assert "Your choices are saved." in page.text
    assert '<option value="daily" selected>daily digest</option>' in page.text

    # Unticked boxes turn quiet hours off and withdraw the consent.
    token = await _csrf(browser)
    form = _form(token)
    del form["quiet_hours"]
    assert (await browser.post(PAGE, data=form)).status_code == 303
    assert not (await NotificationSettings.get(user_id=paula.user_id)).quiet_hours
    assert not await has_consent(paula.user_id, EMAIL_NOTIFICATIONS)


async def test_bad_choices_are_shown_at_their_fields_and_nothing_is_stored(
    browser: httpx.AsyncClient, paula: Actor, kinds: tuple[Kind, ...]
) -> None:
    token = await _csrf(browser)
    same = await browser.post(
        PAGE,
        data=_form(
            token, quiet_from="7", quiet_until="7", **{f"email:{notifications.QUORUM}": "hourly"}
        ),
    )
    assert same.status_code == 422
    assert "Quiet hours must end at another hour than they start." in same.text
    assert "Choose one of: immediate, daily, weekly, off." in same.text
    assert not await NotificationPreference.filter(user_id=paula.user_id).exists()
    assert not await NotificationSettings.filter(user_id=paula.user_id).exists()
    bad = await browser.post(PAGE, data=_form(token, quiet_from="noon"))
    assert bad.status_code == 422
    assert "An hour from 0 to 23." in bad.text
    assert (await browser.post(PAGE, data=_form("wrong"))).status_code in (400, 403, 422)


async def test_follow_buttons_on_the_mandate_vote_district_and_topic(
    browser: httpx.AsyncClient, paula: Actor, town: Municipality
) -> None:
    ida = await factories.person()
    mandate = await factories.mandate(ida, town, topics=["Radwege"])
    page = await browser.get(f"/mandates/{mandate.id}")
    assert 'name="action" value="follow"' in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    followed = await browser.post(
        "/me/follows",
        data={
            "csrf_token": token,
            "subject_type": "mandate",
            "subject_id": str(mandate.id),
            "action": "follow",
            "next": f"/mandates/{mandate.id}#follow",
        },
    )
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/mandates/{mandate.id}#follow"
    assert await Follow.filter(user_id=paula.user_id, active=True).count() == 1
    page = await browser.get(f"/mandates/{mandate.id}")
    assert "You follow this." in page.text and 'value="unfollow"' in page.text

    council = await factories.council_member(town)
    opened = await vote(council, town, VoteStatus.OPEN)
    assert 'name="subject_type" value="vote"' in (await browser.get(f"/votes/{opened.id}")).text
    district = await District.filter(municipality_id=town.id).order_by("id").first()
    assert district is not None
    listed = await browser.get(f"/m/{town.slug}?district={district.slug}&topic=radwege")
    assert f"Follow district {district.name}" in listed.text
    assert "Follow #radwege" in listed.text

    settings_page = await browser.get(PAGE)
    assert mandate.title in settings_page.text
    assert f"Unfollow {mandate.title}" in settings_page.text
    unfollowed = await browser.post(
        "/me/follows",
        data={
            "csrf_token": token,
            "subject_type": "mandate",
            "subject_id": str(mandate.id),
            "action": "unfollow",
            "next": "https://evil.example/",
        },
    )
    assert unfollowed.status_code == 303
    assert unfollowed.headers["location"] == PAGE
    assert await Follow.filter(user_id=paula.user_id, active=False).count() == 1
    missing = await browser.post(
        "/me/follows",
        data={"csrf_token": token, "subject_type": "mandate", "subject_id": "999999"},
    )
    assert missing.status_code == 404


async def test_co_signing_with_also_by_email_grants_the_consent(
    browser: httpx.AsyncClient, paula: Actor, town: Municipality
) -> None:
    ida = await factories.person()
    mandate = await factories.mandate(ida, town)
    page = await browser.get(f"/mandates/{mandate.id}")
    assert "Also tell me by email" in page.text
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    signed = await browser.post(
        f"/mandates/{mandate.id}/sign",
        data={
            "csrf_token": token,
            EMAIL_NOTIFICATIONS: "yes",
            f"{EMAIL_NOTIFICATIONS}_version": "1",
        },
    )
    assert signed.status_code == 303
    assert await Signature.filter(mandate_id=mandate.id, user_id=paula.user_id).exists()
    assert await has_consent(paula.user_id, EMAIL_NOTIFICATIONS)
    settings_page = await browser.get(PAGE)
    assert "you co-signed it" in settings_page.text
    other = await factories.mandate(ida, town)
    assert "Also tell me by email" not in (await browser.get(f"/mandates/{other.id}")).text
