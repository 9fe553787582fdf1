"""Service visits as an area: the portal tells us of a visit, we invite and ask once."""

from __future__ import annotations

from notifications.visits import privacy
from notifications.visits.actions import ACTIONS
from notifications.visits.events import EVENTS
from notifications.visits.kinds import KINDS
from participation.areas import Area

AREA = Area(
    name="visits",
    models="notifications.visits.models",
    actions=ACTIONS,
    exporters={"service_visits": privacy.visits_of},
    erasers={"visits:feedback": privacy.erase_feedback},
    events=EVENTS,
    kinds=KINDS,
)
