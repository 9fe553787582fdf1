"""Job functions, run by arq workers or by the in-process runner with the same signature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from notifications.mail import Mail
from participation.mandates.quorum import expire_mandates as expire
from participation.outbox.retention import prune_events as prune
from participation.votes.clockwork import advance_votes as advance


async def send_email(
    ctx: dict[str, Any], to: str, subject: str, text: str, html: str | None
) -> None:
    await ctx["mailer"].send(Mail(to=to, subject=subject, text=text, html=html))


async def expire_mandates(ctx: dict[str, Any]) -> int:
    return await expire()


async def advance_votes(ctx: dict[str, Any]) -> dict[str, int]:
    return await advance()


async def prune_events(ctx: dict[str, Any]) -> int:
    return await prune()


FUNCTIONS: dict[str, Callable[..., Awaitable[object]]] = {
    "send_email": send_email,
    "expire_mandates": expire_mandates,
    "advance_votes": advance_votes,
    "prune_events": prune_events,
}
