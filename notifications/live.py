"""The inbox on the live bus: "your inbox changed" on `user:<id>:inbox`, after a dispatch
commits and after she marks something read (in another tab, say). Each open inbox
stream reads its own count on hearing it, so the message carries no count and is safe
to send twice.

A fan-out to 100,000 people publishes to the first `LIVE_MAX` of them only: the others
see their count on their next page, and nobody's page is held up by a publishing loop
of 100,000 messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from participation.live import topics
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event

LIVE_MAX = 1000
CHANGED: dict[str, Any] = {"type": "inbox"}


async def publish(context: Mapping[str, Any], user_ids: Iterable[int]) -> None:
    """Tell each of `user_ids` (up to LIVE_MAX) that her inbox changed."""
    bus = context.get("bus")
    if bus is None:
        return
    for told, user_id in enumerate(dict.fromkeys(user_ids)):
        if told == LIVE_MAX:
            break
        await bus.publish(topics.inbox(user_id), CHANGED)


async def signal_reads(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    await publish(context, (event.subject_id for event in batch))


INBOX_LIVE = Consumer(name="inbox_live", handlers={"notifications:inbox:*": signal_reads})
