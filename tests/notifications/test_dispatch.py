"""The dispatcher: one notification per person and event, the strongest reason, her
channels as she chose them and consented to, and nothing twice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from tortoise.transactions import in_transaction

from notifications.dispatch import deliver, dispatch
from notifications.kinds import Category, Fanout, Kind, Recipient
from notifications.models import (
    Cadence,
    Channel,
    EmailDelivery,
    Notification,
    NotificationPreference,
    Reason,
)
from participation import areas
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, grant_consent
from participation.actors import Actor
from participation.areas import Area
from participation.outbox import events
from participation.outbox.envelope import Event
from participation.outbox.models import OutboxEvent
from tests.factories import people

pytestmark = pytest.mark.usefixtures("database")

EVENT = "tests:thing:happened"


async def _data(event: Event) -> dict[str, str]:
    return {"title": f"Thing {event.subject_id}", "url": f"/things/{event.subject_id}"}


class Fixed:
    """Recipients named by the test."""

    def __init__(self) -> None:
        self.recipients: Sequence[Recipient] | Fanout = []

    async def __call__(self, event: Event) -> Sequence[Recipient] | Fanout:
        return self.recipients


@pytest.fixture
def chosen() -> Iterator[Fixed]:
    fixed = Fixed()
    area = Area(
        name="tests_notified",
        kinds=(Kind(EVENT, Category.MANDATES, fixed, _data),),
    )
    areas.register(area)
    yield fixed
    areas.unregister(area)


async def _event(actor: Actor | None = None) -> Event:
    async with in_transaction() as connection:
        await events.write(
            connection, Event(EVENT, "thing", 7, actor_id=actor.user_id if actor else None)
        )
    row = await OutboxEvent.filter(name=EVENT).order_by("-id").first()
    assert row is not None
    return Event(
        row.name, row.subject_type, row.subject_id, row.municipality_id, row.actor_id, id=row.id
    )


async def test_each_person_is_told_once_with_her_strongest_reason_and_never_of_her_own_act(
    chosen: Fixed,
) -> None:
    actor, anna, ben = await people(3)
    chosen.recipients = [
        Recipient(anna.user_id, Reason.FOLLOWER),
        Recipient(anna.user_id, Reason.MENTION),
        Recipient(ben.user_id, Reason.SIGNER),
        Recipient(actor.user_id, Reason.INITIATOR),
    ]
    event = await _event(actor)
    await dispatch([event], {})
    await dispatch([event], {})
    told = {n.recipient_id: n for n in await Notification.all()}
    assert set(told) == {anna.user_id, ben.user_id}
    assert told[anna.user_id].reason == Reason.MENTION
    assert told[ben.user_id].reason == Reason.SIGNER
    assert told[anna.user_id].data == {"title": "Thing 7", "url": "/things/7"}
    assert told[anna.user_id].group_key == f"{EVENT}:thing:7"


async def test_a_fanout_query_reaches_everyone_it_selects(chosen: Fixed) -> None:
    everyone = await people(5)
    ids = [p.user_id for p in everyone]
    chosen.recipients = Fanout(
        "SELECT id, 'signer' FROM account_user WHERE id >= $1 "
        "UNION ALL SELECT id, 'initiator' FROM account_user WHERE id = $1",
        (min(ids),),
    )
    event = await _event()
    await dispatch([event], {})
    await dispatch([event], {})
    told = {n.recipient_id: n.reason for n in await Notification.all()}
    assert set(told) == set(ids)
    assert told[min(ids)] == Reason.INITIATOR


async def test_email_needs_her_consent_and_follows_her_choice(chosen: Fixed) -> None:
    silent, consenting, digest, email_only = await people(4)
    for person in (consenting, digest, email_only):
        await grant_consent(person, EMAIL_NOTIFICATIONS, "1")
    await NotificationPreference.create(
        user_id=digest.user_id, event=EVENT, channel=Channel.EMAIL, cadence=Cadence.DAILY
    )
    await NotificationPreference.create(
        user_id=email_only.user_id, event=EVENT, channel=Channel.INBOX, cadence=Cadence.OFF
    )
    chosen.recipients = [
        Recipient(p.user_id, Reason.SIGNER) for p in (silent, consenting, digest, email_only)
    ]
    event = await _event()
    await dispatch([event], {})
    await dispatch([event], {})
    emails = {d.recipient_id: d.cadence for d in await EmailDelivery.all()}
    assert emails == {
        consenting.user_id: Cadence.IMMEDIATE,
        digest.user_id: Cadence.DAILY,
        email_only.user_id: Cadence.IMMEDIATE,
    }
    inbox = {n.recipient_id: n.in_inbox for n in await Notification.all()}
    assert inbox[email_only.user_id] is False
    assert inbox[silent.user_id] is True


async def test_turning_both_channels_off_tells_her_nothing_unless_she_must_be_told() -> None:
    (anna,) = await people(1)
    for channel in Channel:
        await NotificationPreference.create(
            user_id=anna.user_id, event=EVENT, channel=channel, cadence=Cadence.OFF
        )
    event = await _event()
    fixed = Fixed()
    fixed.recipients = [Recipient(anna.user_id, Reason.DIRECT)]
    await deliver(Kind(EVENT, Category.MODERATION, fixed, _data), event)
    assert await Notification.all().count() == 0
    await deliver(Kind(EVENT, Category.MODERATION, fixed, _data, optional=False), event)
    assert [n.in_inbox for n in await Notification.all()] == [True]


async def test_a_dispatch_that_created_emails_asks_for_them_to_be_sent(chosen: Fixed) -> None:
    (anna,) = await people(1)
    await grant_consent(anna, EMAIL_NOTIFICATIONS, "1")
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]

    class Jobs:
        def __init__(self) -> None:
            self.enqueued: list[str] = []

        async def enqueue(self, name: str, **kwargs: object) -> None:
            self.enqueued.append(name)

    jobs = Jobs()
    await dispatch([await _event()], {"jobs": jobs})
    assert jobs.enqueued == ["send_emails"]
