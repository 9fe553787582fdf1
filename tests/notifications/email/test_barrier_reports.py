"""A barrier report is emailed to every administrator of the town, though none of them
consented to notification emails: answering it is their office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.email import sender
from notifications.mail import SmtpMailer
from participation.accounts.models import User
from participation.municipalities import legal
from participation.permissions import Role
from tests import factories
from tests.factories import time_travel
from tests.factories.notifications import dispatch_outbox
from tests.notifications.email.conftest import OUTGOING, Inbox

pytestmark = pytest.mark.usefixtures("database")

# 12:00 in Berlin, far from quiet hours.
NOON = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


async def test_a_barrier_report_is_emailed_to_each_administrator_without_consent(
    smtp: Inbox, mailer: SmtpMailer
) -> None:
    town = await factories.municipality("barrierestadt", name="Barrierestadt")
    first = await factories.person(role=Role.ADMIN, municipality=town)
    second = await factories.person(role=Role.ADMIN, municipality=town)
    elsewhere = await factories.municipality("anderswo", name="Anderswo")
    await factories.person(role=Role.ADMIN, municipality=elsewhere)
    await factories.council_member(town)
    with time_travel(NOON):
        await legal.report_barrier(None, town.slug, "Der Kontrast ist zu schwach.", name="Bea")
        await dispatch_outbox()
        outcome = await sender.send_due(mailer, OUTGOING, NOON)
    addresses = {(await User.get(id=p.user_id)).email for p in (first, second)}
    assert outcome.sent == 2
    assert {to for received in smtp.messages for to in received.to} == addresses
    for address in addresses:
        (message,) = smtp.to(address)
        assert "Barrierestadt" in str(message["Subject"])
        body = message.get_body(("plain",))
        assert body is not None
        assert "Der Kontrast ist zu schwach." in body.get_content()
