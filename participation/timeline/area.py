"""The timeline area: what happened to a mandate, in public."""

from __future__ import annotations

from participation.areas import Area
from participation.timeline import privacy

AREA = Area(
    name="timeline",
    models="participation.timeline.models",
    exporters={"timeline_entries": privacy.entries_authored},
)
