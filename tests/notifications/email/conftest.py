"""A real SMTP server (aiosmtpd) on loopback, a kind of notification of the tests' own,
and the sender's configuration as the web app's would be."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from tortoise.transactions import in_transaction

from notifications.email import render
from notifications.email.outgoing import Outgoing
from notifications.kinds import Category, Fanout, Kind, Recipient
from notifications.mail import SmtpMailer
from participation import areas
from participation.areas import Area
from participation.outbox import events
from participation.outbox.envelope import Event
from participation.outbox.models import OutboxEvent
from tests.support import SECRET_KEY

# The tests' own kind, with its templates in ./templates/email/tests.email.sent/.
EVENT = "tests:email:sent"
TEMPLATES = Path(__file__).parent / "templates"
SENDER = "Auftrag <noreply@auftrag.example>"
OUTGOING = Outgoing(
    base_url="https://auftrag.example", keys=(SECRET_KEY,), domain="auftrag.example"
)


@dataclass
class Received:
    sender: str
    to: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """What the SMTP server took; `refuse` makes it answer 550 to every message."""

    messages: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return "550 Mailbox unavailable"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.messages if address in r.to]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port  # type: ignore[attr-defined]
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
async def mailer(smtp: Inbox) -> AsyncIterator[SmtpMailer]:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{smtp.port}", SENDER)  # type: ignore[attr-defined]
    yield mailer
    await mailer.close()


class Chosen:
    """Recipients named by the test."""

    def __init__(self) -> None:
        self.recipients: Sequence[Recipient] | Fanout = []

    async def __call__(self, event: Event) -> Sequence[Recipient] | Fanout:
        return self.recipients


async def _data(event: Event) -> dict[str, Any]:
    return {
        "subject_title": f"Radweg {event.subject_id}",
        "url": f"/mandates/{event.subject_id}",
        "municipality_name": "Musterstadt",
        "actor_name": None,
    }


@pytest.fixture
def chosen() -> Iterator[Chosen]:
    fixed = Chosen()
    area = Area(name="tests_emailed", kinds=(Kind(EVENT, Category.MANDATES, fixed, _data),))
    areas.register(area)
    searchpath = render.env.loader.searchpath  # type: ignore[union-attr]
    searchpath.append(str(TEMPLATES))
    yield fixed
    searchpath.remove(str(TEMPLATES))
    areas.unregister(area)


async def happened(subject_id: int = 7, municipality_id: int | None = None) -> Event:
    """An event written to the outbox, as the dispatcher reads it back."""
    async with in_transaction() as connection:
        await events.write(
            connection, Event(EVENT, "mandate", subject_id, municipality_id=municipality_id)
        )
    row = await OutboxEvent.filter(name=EVENT).order_by("-id").first()
    assert row is not None
    return Event(
        row.name, row.subject_type, row.subject_id, row.municipality_id, row.actor_id, id=row.id
    )
