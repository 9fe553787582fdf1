"""In the running app without Redis or SMTP: an event becomes an email in the dev mailbox,
and the link it carries unsubscribes, signed with the app's own key."""

from __future__ import annotations

import re

import httpx
import pytest
from tortoise.transactions import in_transaction

from notifications.kinds import Recipient
from notifications.models import (
    Cadence,
    Channel,
    MailboxMessage,
    NotificationPreference,
    NotificationSettings,
    Reason,
)
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, grant_consent
from participation.accounts.models import User
from participation.outbox import events
from participation.outbox.envelope import Event
from tests.factories import person
from tests.notifications.email.conftest import EVENT, Chosen
from tests.support import eventually


@pytest.mark.usefixtures("app")
async def test_the_emailed_link_unsubscribes_in_the_app(
    chosen: Chosen, client: httpx.AsyncClient
) -> None:
    anna = await person()
    await grant_consent(anna, EMAIL_NOTIFICATIONS, "1")
    await User.filter(id=anna.user_id).update(email="anna@example.org")
    # The real clock runs here: at night her quiet hours would hold the email.
    await NotificationSettings.create(user_id=anna.user_id, quiet_hours=False)
    chosen.recipients = [Recipient(anna.user_id, Reason.SIGNER)]
    async with in_transaction() as connection:
        await events.write(connection, Event(EVENT, "mandate", 9))

    async def mailed() -> bool:
        return await MailboxMessage.filter(to="anna@example.org").exists()

    await eventually(mailed, within=20)
    mail = await MailboxMessage.get(to="anna@example.org")
    assert "Radweg 9" in mail.subject
    link = re.search(r"https?://\S+/unsubscribe/(\S+)", mail.body)
    assert link is not None
    assert (await client.post(f"/api/v1/unsubscribe/{link.group(1)}")).status_code == 200
    choice = await NotificationPreference.get(
        user_id=anna.user_id, event=EVENT, channel=Channel.EMAIL
    )
    assert choice.cadence == Cadence.OFF
