"""Outgoing mail behind one small interface: SMTP when configured, else the dev mailbox in
demo and debug mode, else the process's own output."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifications.models import MailboxMessage


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    # More header fields, such as Message-ID and List-Unsubscribe.
    headers: tuple[tuple[str, str], ...] = ()


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...

    async def close(self) -> None: ...


class DevMailbox:
    """Keeps messages in the database for the /dev/mailbox page."""

    async def send(self, mail: Mail) -> None:
        await MailboxMessage.create(to=mail.to, subject=mail.subject, body=mail.text)

    async def close(self) -> None:
        return None


# What `auftrag serve` prints as it starts when mail goes to its output.
NOT_SENT = "SMTP_URL is not set: emails are printed here, not sent"


class ConsoleMailer:
    """Without SMTP_URL and outside demo and debug mode: each message in full on stdout, so
    the operator of a fresh deployment can still read her first sign-in link in the log
    (Django's console backend). Nothing is sent; `auftrag serve` says so as it starts."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        headers = [("From", self.sender), ("To", mail.to), ("Subject", mail.subject)]
        lines = [
            "----- email, not sent (SMTP_URL is not set) -----",
            *(f"{name}: {value}" for name, value in headers),
        ]
        lines += ["", mail.text.rstrip("\n"), "----- end of email -----"]
        print("\n".join(lines), file=sys.stdout, flush=True)

    async def close(self) -> None:
        return None


class SmtpMailer:
    """SMTP_URL: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS).

    Connections are kept open between messages (up to `IDLE` of them), since a new one
    per message (connect, EHLO, STARTTLS, AUTH, QUIT) costs more than the message. A kept
    connection the server has closed meanwhile is replaced by a new one, once; a message
    that fails on a new connection raises, for the caller to retry."""

    IDLE = 8

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self._idle: list[aiosmtplib.SMTP] = []

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        for name, value in mail.headers:
            message[name] = value
        message.set_content(mail.text)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        return message

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            timeout=30,
        )
        await client.connect()
        return client

    async def send(self, mail: Mail) -> None:
        message = self._message(mail)
        while self._idle:
            client = self._idle.pop()
            try:
                await client.send_message(message)
            except (aiosmtplib.SMTPServerDisconnected, OSError, RuntimeError):
                # Closed by the server while idle, or from a loop that is gone: a new one.
                _drop(client)
                continue
            except BaseException:
                _drop(client)
                raise
            self._keep(client)
            return
        client = await self._connect()
        try:
            await client.send_message(message)
        except BaseException:
            _drop(client)
            raise
        self._keep(client)

    async def close(self) -> None:
        """Say goodbye on the kept connections."""
        idle, self._idle = self._idle, []
        for client in idle:
            try:
                await client.quit()
            except Exception:
                _drop(client)

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self.IDLE:
            self._idle.append(client)
        else:
            _drop(client)


def _drop(client: aiosmtplib.SMTP) -> None:
    """Close without waiting on a server that may be gone."""
    try:
        client.close()
    except Exception:  # its loop may be closed already
        return


def make_mailer(smtp_url: str | None, sender: str, dev_mailbox: bool) -> Mailer:
    """SMTP when configured; otherwise the dev mailbox where its page exists (`dev_mailbox`),
    and never a mailbox nobody can open."""
    if smtp_url:
        return SmtpMailer(smtp_url, sender)
    return DevMailbox() if dev_mailbox else ConsoleMailer(sender)
