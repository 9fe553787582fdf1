"""The council area: the review queue of a municipality and the service promise's clock."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.council.actions import ACTIONS
from participation.council.events import EVENTS
from participation.council.promise import watch_promises

AREA = Area(
    name="council",
    actions=ACTIONS,
    events=EVENTS,
    clock_jobs=(ClockJob("watch_promises", watch_promises, timeout=50),),
)
