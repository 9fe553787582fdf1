"""The costs area: cost analyses of mandates and measures, revised and published."""

from __future__ import annotations

from participation.areas import Area
from participation.costs.actions import ACTIONS
from participation.costs.events import EVENTS

AREA = Area(
    name="costs",
    models="participation.costs.models",
    actions=ACTIONS,
    events=EVENTS,
)
