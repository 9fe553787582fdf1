"""The mandates area: launching, co-signing and answering Bürgeraufträge."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.mandates import privacy
from participation.mandates.actions import ACTIONS
from participation.mandates.events import EVENTS
from participation.mandates.live import LIVE
from participation.mandates.quorum import expire_mandates

AREA = Area(
    name="mandates",
    models="participation.mandates.models",
    actions=ACTIONS,
    exporters={"mandates": privacy.mandates_launched, "signatures": privacy.signatures_given},
    erasers={"mandates:drafts": privacy.erase_drafts},
    clock_jobs=(ClockJob("expire_mandates", expire_mandates, timeout=50),),
    events=EVENTS,
    consumers=(LIVE,),
)
