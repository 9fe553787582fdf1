"""One-click unsubscribe: the email's link opens a page that only asks; a POST, from the
page's button or from the mail client (RFC 8058), turns the category's emails off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from notifications.email.tokens import sign
from notifications.kinds import Category, Kind, registered
from notifications.models import (
    Cadence,
    Channel,
    EmailDelivery,
    EmailStatus,
    Notification,
    NotificationPreference,
    Reason,
)
from participation import areas, clock
from participation.actors import Actor
from participation.areas import Area
from participation.outbox.envelope import Event
from server.settings import Settings
from tests.factories import person

MANDATE_KINDS = ("tests:unsubscribe:first", "tests:unsubscribe:second")
VOTE_KIND = "tests:unsubscribe:vote"


async def _nobody(event: Event) -> list[Any]:
    return []


async def _nothing(event: Event) -> dict[str, Any]:
    return {}


@pytest.fixture
def kinds() -> Iterator[None]:
    area = Area(
        name="tests_unsubscribed",
        kinds=(
            *(Kind(event, Category.MANDATES, _nobody, _nothing) for event in MANDATE_KINDS),
            Kind(VOTE_KIND, Category.VOTES, _nobody, _nothing),
        ),
    )
    areas.register(area)
    yield
    areas.unregister(area)


def _mandate_kinds() -> set[str]:
    """Every kind the mandates link turns off: the real ones and this test's two."""
    return {e for e, kind in registered().items() if kind.category == Category.MANDATES}


async def _email_choices(anna: Actor) -> dict[str, Cadence]:
    rows = await NotificationPreference.filter(user_id=anna.user_id, channel=Channel.EMAIL)
    return {row.event: row.cadence for row in rows}


async def _waiting(anna: Actor, event: str) -> EmailDelivery:
    notification = await Notification.create(
        recipient_id=anna.user_id,
        event_id=1,
        event_name=event,
        reason=Reason.SIGNER,
        subject_type="mandate",
        subject_id=1,
        group_key="g",
    )
    return await EmailDelivery.create(
        notification_id=notification.id,
        recipient_id=anna.user_id,
        cadence=Cadence.DAILY,
        not_before=clock.now(),
    )


@pytest.mark.usefixtures("kinds")
async def test_opening_the_link_only_asks_and_the_button_unsubscribes(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna = await person()
    waiting = await _waiting(anna, MANDATE_KINDS[0])
    token = sign(settings.secret_key, anna.user_id, [Category.MANDATES])

    page = await client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert "Aufträgen" in page.text
    assert await _email_choices(anna) == {}

    done = await client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Abbestellt" in done.text
    assert await _email_choices(anna) == {event: Cadence.OFF for event in _mandate_kinds()}
    assert (await EmailDelivery.get(id=waiting.id)).status == EmailStatus.CANCELLED


@pytest.mark.usefixtures("kinds")
async def test_the_one_click_api_turns_off_only_the_links_category(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    anna = await person()
    vote_email = await _waiting(anna, VOTE_KIND)
    token = sign(settings.secret_key, anna.user_id, [Category.MANDATES])
    for _ in range(2):
        response = await client.post(f"/api/v1/unsubscribe/{token}")
        assert response.status_code == 200
        assert response.json() == {"categories": ["mandates"]}
    choices = await _email_choices(anna)
    assert choices == {event: Cadence.OFF for event in _mandate_kinds()}
    assert (await EmailDelivery.get(id=vote_email.id)).status == EmailStatus.PENDING


@pytest.mark.usefixtures("kinds")
async def test_a_forged_link_changes_nothing(client: httpx.AsyncClient) -> None:
    anna = await person()
    forged = sign("not-the-key" * 4, anna.user_id, [Category.MANDATES])
    api = await client.post(f"/api/v1/unsubscribe/{forged}")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/unsubscribe/{forged}")).status_code == 404
    assert (await client.post(f"/unsubscribe/{forged}")).status_code == 404
    assert await _email_choices(anna) == {}
