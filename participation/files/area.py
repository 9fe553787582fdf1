"""The files area: attachments to mandates, answers, cost analyses and measures."""

from __future__ import annotations

from participation.areas import Area
from participation.files import privacy
from participation.files.actions import ACTIONS
from participation.files.events import EVENTS

AREA = Area(
    name="files",
    models="participation.files.models",
    actions=ACTIONS,
    events=EVENTS,
    exporters={"attachments": privacy.attachments_uploaded},
)
