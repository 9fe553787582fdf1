"""When each data set of a municipality last changed, for the catalogue's dct:modified and
the downloads' Last-Modified: the newest time stamp among its public records.

A withdrawn co-signature leaves no time stamp, so `mandates` may have changed a little
later than it says; everything else that changes a row writes one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.functions import Max

from notifications.visits.models import Invitation, ServiceVisit
from participation.costs.models import CostRevision
from participation.deliberation.models import Comment
from participation.mandates.models import Mandate, Rating, Signature, Status
from participation.moderation.models import ModerationEntry
from participation.municipalities.models import Municipality
from participation.plans.models import Measure, MeasureMilestone
from participation.timeline.models import TimelineEntry
from participation.votes.models import Participation, Vote, VoteStatus


async def _newest(query: Any, field: str) -> datetime | None:
    rows = await query.annotate(newest=Max(field)).values_list("newest", flat=True)
    value = rows[0] if rows else None
    return value if isinstance(value, datetime) else None


def _latest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


async def _timeline(m: Municipality) -> datetime | None:
    return await _newest(
        TimelineEntry.filter(mandate__municipality_id=m.id).exclude(mandate__status=Status.DRAFT),
        "created_at",
    )


async def _mandates(m: Municipality) -> datetime | None:
    public = Mandate.filter(municipality_id=m.id).exclude(status=Status.DRAFT)
    return _latest(
        await _timeline(m),
        await _newest(public, "published_at"),
        await _newest(
            Signature.filter(mandate__municipality_id=m.id).exclude(mandate__status=Status.DRAFT),
            "created_at",
        ),
    )


async def _costs(m: Municipality) -> datetime | None:
    return await _newest(
        CostRevision.filter(analysis__mandate__municipality_id=m.id), "published_at"
    )


async def _measures(m: Municipality) -> datetime | None:
    return _latest(
        await _newest(Measure.filter(mandate__municipality_id=m.id), "updated_at"),
        await _newest(
            MeasureMilestone.filter(measure__mandate__municipality_id=m.id), "created_at"
        ),
        await _newest(
            MeasureMilestone.filter(measure__mandate__municipality_id=m.id), "reached_at"
        ),
    )


async def _votes(m: Municipality) -> datetime | None:
    return await _newest(
        Vote.filter(municipality_id=m.id, status=VoteStatus.PUBLISHED), "published_at"
    )


async def _moderation(m: Municipality) -> datetime | None:
    return await _newest(ModerationEntry.filter(municipality_id=m.id), "created_at")


async def _figures(m: Municipality) -> datetime | None:
    # The figures are counted from the records of the other data sets and from those no
    # data set shows: who voted, comments, ratings, service visits and their invitations.
    here = {"municipality_id": m.id}
    return _latest(
        await _mandates(m),
        await _moderation(m),
        await _costs(m),
        await _newest(Participation.filter(vote__municipality_id=m.id), "created_at"),
        await _newest(Comment.filter(thread__municipality_id=m.id), "created_at"),
        await _newest(Rating.filter(mandate__municipality_id=m.id), "updated_at"),
        await _newest(ServiceVisit.filter(**here), "received_at"),
        await _newest(Invitation.filter(**here), "sent_at"),
        await _newest(Invitation.filter(**here), "scored_at"),
    )


NEWEST = {
    "mandates": _mandates,
    "timelines": _timeline,
    "cost-analyses": _costs,
    "measures": _measures,
    "vote-results": _votes,
    "moderation-log": _moderation,
    "figures": _figures,
}


async def modified(municipality: Municipality, dataset: str) -> datetime:
    """The data set's latest change; the municipality's founding when it has no records."""
    return await NEWEST[dataset](municipality) or municipality.created_at
