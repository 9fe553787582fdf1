"""Daily and weekly digests: one email per person at 07:00 her time (Monday for weekly),
gathering what came since the last one, grouped by subject, across midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.dispatch import dispatch
from notifications.email import sender
from notifications.kinds import Recipient
from notifications.mail import SmtpMailer
from notifications.models import (
    Cadence,
    Channel,
    EmailDelivery,
    EmailStatus,
    NotificationPreference,
    Reason,
)
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, grant_consent
from participation.accounts.models import User
from tests.factories import people, time_travel
from tests.notifications.email.conftest import EVENT, OUTGOING, Chosen, Inbox, happened

pytestmark = pytest.mark.usefixtures("database")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in June 2026 in Berlin."""
    return datetime(2026, 6, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


async def _event_at(moment: datetime, subject_id: int) -> None:
    with time_travel(moment):
        await dispatch([await happened(subject_id)], {})


async def test_a_daily_digest_gathers_the_evening_and_the_night_before_seven(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    anna, ben = await people(2)
    for person in (anna, ben):
        await grant_consent(person, EMAIL_NOTIFICATIONS, "1")
    await NotificationPreference.create(
        user_id=anna.user_id, event=EVENT, channel=Channel.EMAIL, cadence=Cadence.DAILY
    )
    chosen.recipients = [Recipient(p.user_id, Reason.SIGNER) for p in (anna, ben)]
    # Wednesday 10 June 2026: 23:30 and, after midnight, 00:30 and 06:59, then 07:01.
    await _event_at(berlin(10, 23, 30), 1)
    await _event_at(berlin(11, 0, 30), 1)
    await _event_at(berlin(11, 6, 59), 2)
    await _event_at(berlin(11, 7, 1), 2)
    anna_email = (await User.get(id=anna.user_id)).email

    before = await sender.send_due(mailer, OUTGOING, berlin(11, 6, 59))
    assert smtp.to(anna_email) == []
    # Her three wait for the digest; Ben's three are immediate, but it is still night.
    assert (before.sent, before.held) == (0, 6)

    await sender.send_due(mailer, OUTGOING, berlin(11, 7))
    [digest] = smtp.to(anna_email)
    assert digest["Subject"] == "Auftrag: 3 neue Benachrichtigungen"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.index("Radweg 1") < text.index("Radweg 2")
    assert text.count("Angenommen: Radweg 1") == 2
    assert text.count("Angenommen: Radweg 2") == 1
    assert "https://auftrag.example/mandates/1" in text
    gathered = await EmailDelivery.filter(recipient_id=anna.user_id, status=EmailStatus.SENT)
    assert len(gathered) == 3
    assert {d.message_id for d in gathered} == {digest["Message-ID"]}
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    await sender.send_due(mailer, OUTGOING, berlin(11, 23))
    assert len(smtp.to(anna_email)) == 1
    await sender.send_due(mailer, OUTGOING, berlin(12, 7))
    assert len(smtp.to(anna_email)) == 2
    assert smtp.to(anna_email)[1]["Subject"] == "Auftrag: 1 neue Benachrichtigung"
    # Ben's immediate emails: the night's held until 07:00, one each, no digest.
    assert len(smtp.to((await User.get(id=ben.user_id)).email)) == 4


async def test_a_weekly_digest_goes_on_monday_morning(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    [anna] = await people(1)
    await grant_consent(anna, EMAIL_NOTIFICATIONS, "1")
    await NotificationPreference.create(
        user_id=anna.user_id, event=EVENT, channel=Channel.EMAIL, cadence=Cadence.WEEKLY
    )
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    await _event_at(berlin(10, 12), 1)  # a Wednesday
    await _event_at(berlin(14, 23, 50), 2)  # Sunday night
    anna_email = (await User.get(id=anna.user_id)).email
    await sender.send_due(mailer, OUTGOING, berlin(14, 23, 55))
    await sender.send_due(mailer, OUTGOING, berlin(15, 6, 59))
    assert smtp.to(anna_email) == []
    await sender.send_due(mailer, OUTGOING, berlin(15, 7))  # Monday
    [digest] = smtp.to(anna_email)
    assert digest["Subject"] == "Auftrag: 2 neue Benachrichtigungen"
