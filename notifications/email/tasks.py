"""The sender's jobs: after a dispatch, as a clock job each minute (the safety net for a
lost enqueue, and what sends held emails and digests when their time comes), and the
administrators' retry of one dead delivery."""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from typing import Any

from notifications.email import outgoing, sender
from notifications.mail import Mailer, make_mailer
from participation.environment import Services


async def send_emails(ctx: dict[str, Any]) -> dict[str, int]:
    return asdict(await sender.send_due(ctx["mailer"], outgoing.of(ctx)))


async def send_email_delivery(ctx: dict[str, Any], delivery_id: int) -> dict[str, int]:
    return asdict(await sender.retry(int(delivery_id), ctx["mailer"], outgoing.of(ctx)))


@cache
def _mailer() -> Mailer:
    services = Services.from_env()
    return make_mailer(services.smtp_url, services.mail_from, services.dev_mailbox)


async def send_due_emails() -> dict[str, int]:
    """The clock job: clock jobs get no job context, so the mailer comes from the
    environment, as the worker's does."""
    return asdict(await sender.send_due(_mailer(), outgoing.from_env()))
