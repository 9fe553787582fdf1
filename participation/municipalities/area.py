"""The municipalities area: the tenants, their districts, departments and the levels each
asks for."""

from __future__ import annotations

from participation.areas import Area
from participation.municipalities import privacy
from participation.municipalities.actions import ACTIONS
from participation.municipalities.events import EVENTS

AREA = Area(
    name="municipalities",
    models="participation.municipalities.models",
    actions=ACTIONS,
    events=EVENTS,
    exporters={"barrier_reports": privacy.barrier_reports},
    erasers={"municipalities:barrier_reports": privacy.erase_barrier_reports},
)
