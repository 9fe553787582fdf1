"""The sender against a real SMTP server: the right emails with the right headers, once
each, however many senders run; held in quiet hours; retried, then dead-lettered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from notifications.dispatch import dispatch
from notifications.email import sender, tokens
from notifications.email.tasks import send_email_delivery
from notifications.kinds import Category, Recipient
from notifications.mail import SmtpMailer
from notifications.models import (
    DeadLetter,
    EmailDelivery,
    EmailStatus,
    NotificationSettings,
    Reason,
)
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, grant_consent
from participation.actors import Actor
from tests.factories import people, time_travel
from tests.notifications.email.conftest import OUTGOING, SENDER, Chosen, Inbox, happened

pytestmark = pytest.mark.usefixtures("database")

# 12:00 in Berlin, far from quiet hours.
NOON = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


async def consenting(count: int) -> list[Actor]:
    found = await people(count)
    for person in found:
        await grant_consent(person, EMAIL_NOTIFICATIONS, "1")
    return found


async def _email_of(person: Actor) -> str:
    from participation.accounts.models import User

    return (await User.get(id=person.user_id)).email


async def test_an_event_becomes_one_email_per_consenting_person_with_every_header(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    anna, ben, silent = await people(3)
    for person in (anna, ben):
        await grant_consent(person, EMAIL_NOTIFICATIONS, "1")
    await NotificationSettings.create(user_id=ben.user_id, language="en")
    chosen.recipients = [Recipient(p.user_id, Reason.SIGNER) for p in (anna, ben, silent)]
    with time_travel(NOON):
        await dispatch([await happened(42)], {})
        outcome = await sender.send_due(mailer, OUTGOING, NOON)
        again = await sender.send_due(mailer, OUTGOING, NOON)
    assert (outcome.sent, again.sent) == (2, 0)
    assert len(smtp.messages) == 2
    assert smtp.to(await _email_of(silent)) == []
    [german] = smtp.to(await _email_of(anna))
    [english] = smtp.to(await _email_of(ben))
    assert german["From"] == SENDER
    assert german["To"] == await _email_of(anna)
    assert german["Subject"] == "Angenommen: Radweg 42"
    assert english["Subject"] == "Accepted: Radweg 42"
    delivery = await EmailDelivery.get(recipient_id=anna.user_id)
    assert german["Message-ID"] == f"<auftrag.email.{delivery.id}@auftrag.example>"
    assert delivery.status == EmailStatus.SENT
    assert delivery.message_id == german["Message-ID"]
    unsubscribe = german["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://auftrag.example/unsubscribe/")
    token = unsubscribe.strip("<>").rpartition("/")[2]
    assert tokens.read(OUTGOING.keys, token) == tokens.Unsubscribe(
        anna.user_id, (Category.MANDATES,)
    )
    assert german["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = german.get_body(("plain",))
    html = german.get_body(("html",))
    assert text is not None and html is not None
    assert "https://auftrag.example/mandates/42" in text.get_content()
    assert "Der Rat von Musterstadt hat den Auftrag „Radweg 42“ angenommen." in text.get_content()
    assert 'href="https://auftrag.example/mandates/42"' in html.get_content()
    assert "The council of Musterstadt accepted" in english.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_two_senders_at_once_never_send_one_email_twice(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so that the two take turns claiming while the other one sends.
    monkeypatch.setattr(sender, "BATCH", 4)
    everyone = await consenting(30)
    chosen.recipients = [Recipient(p.user_id, Reason.SIGNER) for p in everyone]
    with time_travel(NOON):
        await dispatch([await happened()], {})
        first, second = await asyncio.gather(
            sender.send_due(mailer, OUTGOING, NOON), sender.send_due(mailer, OUTGOING, NOON)
        )
    assert first.sent + second.sent == 30
    assert first.sent > 0 and second.sent > 0
    addressed = sorted(r.to[0] for r in smtp.messages)
    assert len(addressed) == 30
    assert len(set(addressed)) == 30
    assert await EmailDelivery.filter(status=EmailStatus.SENT).count() == 30


async def test_an_email_due_in_quiet_hours_is_held_and_sent_when_they_end(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    [anna] = await consenting(1)
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    night = datetime(2026, 6, 10, 21, 30, tzinfo=UTC)  # 23:30 in Berlin (summer time)
    with time_travel(night):
        await dispatch([await happened()], {})
        held = await sender.send_due(mailer, OUTGOING, night)
    assert (held.sent, held.held) == (0, 1)
    assert smtp.messages == []
    delivery = await EmailDelivery.get(recipient_id=anna.user_id)
    morning = datetime(2026, 6, 11, 5, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert delivery.not_before == morning
    assert delivery.status == EmailStatus.PENDING
    early = await sender.send_due(mailer, OUTGOING, morning - timedelta(minutes=1))
    assert early.sent == 0
    sent = await sender.send_due(mailer, OUTGOING, morning)
    assert sent.sent == 1
    assert len(smtp.to(await _email_of(anna))) == 1


async def test_without_quiet_hours_the_email_goes_at_night(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    [anna] = await consenting(1)
    await NotificationSettings.create(user_id=anna.user_id, quiet_hours=False)
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    night = datetime(2026, 6, 10, 21, 30, tzinfo=UTC)
    with time_travel(night):
        await dispatch([await happened()], {})
        assert (await sender.send_due(mailer, OUTGOING, night)).sent == 1


async def test_a_refusing_server_is_retried_with_backoff_then_dead_lettered(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    [anna] = await consenting(1)
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    smtp.refuse = True
    moment = NOON
    with time_travel(moment):
        await dispatch([await happened()], {})
    waits = []
    for _ in range(sender.TRIES):
        outcome = await sender.send_due(mailer, OUTGOING, moment)
        assert outcome.failed == 1
        delivery = await EmailDelivery.get(recipient_id=anna.user_id)
        waits.append(delivery.not_before - moment)
        moment = delivery.not_before
    assert waits[:-1] == list(sender.BACKOFF)
    assert delivery.status == EmailStatus.DEAD
    assert delivery.attempts == sender.TRIES
    assert "550" in (delivery.error or "")
    [dead] = await DeadLetter.all()
    assert dead.task == sender.RETRY_TASK
    assert dead.kwargs == {"delivery_id": delivery.id}
    assert dead.tries == sender.TRIES
    assert (await sender.send_due(mailer, OUTGOING, moment + timedelta(days=1))).failed == 0

    smtp.refuse = False
    with time_travel(NOON):
        await send_email_delivery({"mailer": mailer, "outgoing": OUTGOING}, delivery.id)
    delivery = await EmailDelivery.get(id=delivery.id)
    assert delivery.status == EmailStatus.SENT
    assert len(smtp.messages) == 1


async def test_a_server_that_cannot_be_reached_is_retried_not_dropped(
    chosen: Chosen, smtp: Inbox
) -> None:
    [anna] = await consenting(1)
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    nowhere = SmtpMailer("smtp://127.0.0.1:9", SENDER)
    with time_travel(NOON):
        await dispatch([await happened()], {})
    outcome = await sender.send_due(nowhere, OUTGOING, NOON)
    assert outcome.failed == 1
    delivery = await EmailDelivery.get(recipient_id=anna.user_id)
    assert (delivery.status, delivery.attempts) == (EmailStatus.PENDING, 1)
    assert delivery.not_before == NOON + sender.BACKOFF[0]
