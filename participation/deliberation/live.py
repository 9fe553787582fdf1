"""The live consumer of discussions: tells every open page of a thread that it changed.

A message is a hint to read the thread again (pages fetch their discussion section
anew), never the comment itself: a hidden comment must vanish, and the reader's own
view (endorsed by me, the forms she may use) is hers. Sending one twice costs a fetch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation.live import topics
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event


async def signal_threads(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    """One message per thread the batch changed, naming the comments it touched."""
    bus = context["bus"]
    changed: dict[int, list[int]] = {}
    for event in batch:
        thread_id = event.payload.get("thread_id")
        if not isinstance(thread_id, int):
            continue
        touched = changed.setdefault(thread_id, [])
        comment_id = event.payload.get("comment_id")
        if isinstance(comment_id, int) and comment_id not in touched:
            touched.append(comment_id)
    for thread_id, comment_ids in sorted(changed.items()):
        await bus.publish(
            topics.thread(thread_id),
            {"type": "thread", "thread_id": thread_id, "comment_ids": comment_ids},
        )


# What changes what a thread shows; `replied` is the answered person's own business and
# `posted` already tells the thread, and flags stay invisible until they hide a comment.
THREAD_EVENTS = (
    "deliberation:comment:posted",
    "deliberation:comment:edited",
    "deliberation:comment:deleted",
    "moderation:comment:hidden",
    "moderation:comment:restored",
    "moderation:thread:locked",
    "moderation:thread:unlocked",
)
LIVE = Consumer("live_threads", dict.fromkeys(THREAD_EVENTS, signal_threads))
