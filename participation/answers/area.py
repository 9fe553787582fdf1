"""The answers area: assigning mandates to departments and the council's official answers."""

from __future__ import annotations

from participation.answers import privacy
from participation.answers.actions import ACTIONS
from participation.answers.events import EVENTS
from participation.areas import Area

AREA = Area(
    name="answers",
    models="participation.answers.models",
    actions=ACTIONS,
    exporters={"official_responses": privacy.responses_signed},
    events=EVENTS,
)
