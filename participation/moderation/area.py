"""The moderation area: flags, the moderators' decisions, suspensions, the public log."""

from __future__ import annotations

from participation.areas import Area
from participation.moderation import privacy
from participation.moderation.actions import ACTIONS
from participation.moderation.events import EVENTS

AREA = Area(
    name="moderation",
    models="participation.moderation.models",
    actions=ACTIONS,
    exporters={
        "flags": privacy.flags_given,
        "suspensions": privacy.suspensions_received,
        "moderation_decisions": privacy.decisions_taken,
    },
    erasers={"moderation:flag_texts": privacy.erase_flag_texts},
    events=EVENTS,
)
