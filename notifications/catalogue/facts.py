"""The facts every kind gives (see `notifications.kinds.Data`): the subject's title and
link, the municipality's name and the actor's display name."""

from __future__ import annotations

from typing import Any

from participation.accounts.models import User
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from participation.outbox.envelope import Event


async def actor_name(event: Event) -> str | None:
    if event.actor_id is None:
        return None
    names = await User.filter(id=event.actor_id).values_list("display_name", flat=True)
    return str(names[0]) if names else None


async def municipality_name(municipality_id: int | None) -> str:
    if municipality_id is None:
        return ""
    names = await Municipality.filter(id=municipality_id).values_list("name", flat=True)
    return str(names[0]) if names else ""


async def facts(event: Event, title: str, url: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject_title": title,
        "url": url,
        "municipality_name": await municipality_name(event.municipality_id),
        "actor_name": await actor_name(event),
        **extra,
    }


async def mandate_title(mandate_id: int) -> str:
    titles = await Mandate.filter(id=mandate_id).values_list("title", flat=True)
    return str(titles[0]) if titles else ""


async def mandate_facts(event: Event, mandate_id: int, **extra: Any) -> dict[str, Any]:
    """The facts of an event about mandate `mandate_id`, linking to its page."""
    return await facts(event, await mandate_title(mandate_id), f"/mandates/{mandate_id}", **extra)


def entry_data(event: Event) -> dict[str, Any]:
    """The data of the timeline entry the event announces, if it announces one."""
    entry = event.payload.get("entry")
    data = entry.get("data") if isinstance(entry, dict) else None
    return data if isinstance(data, dict) else {}


def excerpt(text: str, length: int = 140) -> str:
    """The start of someone's text on one line, cut at a word: the inbox and email show
    it escaped as plain text, never rendered."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"
