"""The mandates area: launching, co-signing and answering Bürgeraufträge."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.mandates import privacy
from participation.mandates.actions import ACTIONS
from participation.mandates.events import EVENTS
from participation.mandates.live import LIVE
from participation.mandates.quorum import expire_mandates
from participation.mandates.rating import summarise_ratings

AREA = Area(
    name="mandates",
    models="participation.mandates.models",
    actions=ACTIONS,
    exporters={
        "mandates": privacy.mandates_launched,
        "signatures": privacy.signatures_given,
        "ratings": privacy.ratings_given,
    },
    erasers={
        "mandates:drafts": privacy.erase_drafts,
        "mandates:rating_comments": privacy.erase_rating_comments,
    },
    clock_jobs=(
        ClockJob("expire_mandates", expire_mandates, timeout=50),
        ClockJob("summarise_ratings", summarise_ratings, timeout=50, every=15),
    ),
    events=EVENTS,
    consumers=(LIVE,),
)
