"""The live consumer of mandates: turns committed events into messages on the live bus.

A timeline message carries the new entries themselves (the event that announced each
entry holds it), with the actor's display name read once per batch: every stream on
every process sends them on as they are, so ten thousand open pages cost no query at
all. A count message carries the current count. Both are safe to send twice: a stream
skips entries it has sent, and a count is a state, not a difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation.accounts.models import User
from participation.live import topics
from participation.mandates import counter
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event


async def signal_mandates(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    """One message per mandate and kind: its new timeline entries, and its count when
    signatures changed it (ten thousand streams need not hear an unchanged count)."""
    bus = context["bus"]
    counts: set[int] = set()
    timelines: dict[int, list[tuple[Event, dict[str, Any]]]] = {}
    for event in batch:
        if event.subject_type != "mandate":
            continue
        if event.name.startswith("mandates:signature:"):
            counts.add(event.subject_id)
        entry = event.payload.get("entry")
        if isinstance(entry, dict) and "id" in entry:
            timelines.setdefault(event.subject_id, []).append((event, entry))
    names = await _display_names(
        {e.actor_id for found in timelines.values() for e, _ in found if e.actor_id}
    )
    for mandate_id, found in sorted(timelines.items()):
        entries = sorted(
            (_entry(entry, names.get(event.actor_id or 0)) for event, entry in found),
            key=lambda e: e["id"],
        )
        message = {"mandate_id": mandate_id, "type": "timeline", "entries": entries}
        await bus.publish(topics.mandate(mandate_id), message)
    for mandate_id, (total, resident) in (await counter.tallies(sorted(counts))).items():
        await bus.publish(
            topics.mandate(mandate_id),
            {"mandate_id": mandate_id, "type": "count", "count": total, "resident": resident},
        )


def _entry(entry: dict[str, Any], actor: str | None) -> dict[str, Any]:
    """The entry as the timeline's readers show it (see timeline.queries.entries)."""
    return {
        "id": entry["id"],
        "kind": entry["kind"],
        "data": entry.get("data") or {},
        "actor": {"display_name": actor} if actor is not None else None,
        "created_at": entry["created_at"],
    }


async def _display_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(await User.filter(id__in=user_ids).values_list("id", "display_name"))


# The events that put an entry on a mandate's timeline or change its count, by the areas
# that record them. Named rather than "*", so that a ballot or a sign-in costs this
# consumer no delivery row.
TIMELINE_EVENTS = (
    "mandates:*",
    "votes:vote:*",
    "council:promise:missed",
    "answers:*",
    "costs:analysis:published",
    "files:attachment:added",
    "plans:*",
)
LIVE = Consumer("live", dict.fromkeys(TIMELINE_EVENTS, signal_mandates))
