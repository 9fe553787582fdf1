"""The live consumer of mandates: turns committed events into signals on the live bus.

A signal says "re-read": a stream that gets one fetches the new timeline entries
itself, and a count signal carries the current count. So a signal sent twice does no
harm, and a batch sends one per topic and kind, however many events it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation.live import topics
from participation.mandates import counter
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event


async def signal_mandates(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    """One signal per mandate and kind: signatures change the count, the rest the timeline."""
    bus = context["bus"]
    counts: set[int] = set()
    timelines: set[int] = set()
    for event in batch:
        if event.subject_type != "mandate":
            continue
        counts.add(event.subject_id)
        if not event.name.startswith("mandates:signature:"):
            timelines.add(event.subject_id)
    for mandate_id in sorted(timelines):
        signal = {"mandate_id": mandate_id, "type": "timeline"}
        await bus.publish(topics.mandate(mandate_id), signal)
    for mandate_id, (total, resident) in (await counter.tallies(sorted(counts))).items():
        await bus.publish(
            topics.mandate(mandate_id),
            {"mandate_id": mandate_id, "type": "count", "count": total, "resident": resident},
        )


# Votes of a mandate appear on its timeline, under the mandate's topic.
LIVE = Consumer("live", {"mandates:*": signal_mandates, "votes:vote:*": signal_mandates})
