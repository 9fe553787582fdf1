"""The deliberation area: threads on mandates, measures and votes, their comments."""

from __future__ import annotations

from participation.areas import Area
from participation.deliberation import privacy
from participation.deliberation.actions import ACTIONS
from participation.deliberation.events import EVENTS
from participation.deliberation.live import LIVE

AREA = Area(
    name="deliberation",
    models="participation.deliberation.models",
    actions=ACTIONS,
    exporters={
        "comments": privacy.comments_written,
        "endorsements": privacy.endorsements_given,
    },
    erasers={
        "deliberation:comments": privacy.erase_comments,
        "deliberation:endorsements": privacy.erase_endorsements,
    },
    events=EVENTS,
    consumers=(LIVE,),
)
