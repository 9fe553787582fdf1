"""The outbox: every domain event, written in the transaction of its change."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.outbox import privacy
from participation.outbox.retention import prune_events

AREA = Area(
    name="outbox",
    models="participation.outbox.models",
    erasers={"outbox:events": privacy.erase_events},
    # Hourly: pruning is a large delete that nothing waits for.
    clock_jobs=(ClockJob("prune_events", prune_events, timeout=600, every=60),),
)
