"""Mail goes out over real SMTP when SMTP_URL is set; otherwise to the dev mailbox in demo
and debug mode, and printed in full everywhere else."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from notifications.mail import ConsoleMailer, DevMailbox, Mail, SmtpMailer, make_mailer


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(
            (envelope.mail_from, envelope.rcpt_tos, message_from_bytes(envelope.content))
        )
        return "250 OK"


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_smtp_mailer_delivers_text_and_html(smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    mailer = make_mailer(f"smtp://127.0.0.1:{port}", "Auftrag <noreply@example.org>", True)
    assert isinstance(mailer, SmtpMailer)
    await mailer.send(
        Mail(to="anna@example.org", subject="Dein Link", text="Öffne: http://x/1", html="<p>x</p>")
    )
    await mailer.close()
    [(sender, recipients, message)] = inbox.messages
    assert sender == "noreply@example.org"
    assert recipients == ["anna@example.org"]
    assert message["Subject"] == "Dein Link"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Öffne: http://x/1" in parts["text/plain"].get_payload(decode=True).decode()
    assert "text/html" in parts


def test_without_smtp_url_mail_goes_to_the_dev_mailbox_where_its_page_exists() -> None:
    assert isinstance(make_mailer(None, "Auftrag <noreply@example.org>", True), DevMailbox)


async def test_elsewhere_without_smtp_url_each_mail_is_printed_in_full(
    capsys: pytest.CaptureFixture[str],
) -> None:
    mailer = make_mailer(None, "Auftrag <noreply@example.org>", False)
    assert isinstance(mailer, ConsoleMailer)
    await mailer.send(
        Mail(to="rathaus@einsdorf.example", subject="Dein Link", text="Öffne: http://x/1\n")
    )
    out = capsys.readouterr().out
    assert "not sent (SMTP_URL is not set)" in out
    assert "To: rathaus@einsdorf.example" in out and "Subject: Dein Link" in out
    assert "From: Auftrag <noreply@example.org>" in out
    assert "Öffne: http://x/1" in out


async def test_smtp_mailer_keeps_its_connection_and_reconnects_when_the_server_closed_it() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    mailer = SmtpMailer(f"smtp://127.0.0.1:{port}", "Auftrag <noreply@example.org>")
    mail = Mail(to="anna@example.org", subject="Eins", text="eins")
    first = Controller(inbox, hostname="127.0.0.1", port=port)
    first.start()
    try:
        await mailer.send(mail)
        await mailer.send(mail)
    finally:
        first.stop()
    second = Controller(inbox, hostname="127.0.0.1", port=port)
    second.start()
    try:
        await mailer.send(mail)
        await mailer.close()
    finally:
        second.stop()
    assert len(inbox.messages) == 3
