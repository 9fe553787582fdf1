"""The funnel of service visits and the services' figures, per service type and month:
visits → invitations → opened → took part (signed, voted or commented within 14 days of
the invitation), with satisfaction and duration. Aggregates only, for the transparency
pages; months are the municipality's, by when the visit happened."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from notifications.visits import offer, rules
from notifications.visits.models import Invitation, Outcome, ServiceType, ServiceVisit
from participation import clock
from participation.deliberation.models import Comment
from participation.mandates.models import Signature
from participation.metrics import periods
from participation.votes.models import Participation


@dataclass
class Row:
    service_type: str
    name_de: str
    name_en: str
    month: str
    visits: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})
    invitations: int = 0
    opened: int = 0
    took_part: int = 0
    scores: list[int] = field(default_factory=list)
    minutes: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Funnel:
    period: periods.Period
    rows: list[Row]

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)


async def _moments(
    municipality_id: int, users: list[int], start: datetime, end: datetime
) -> dict[int, list[datetime]]:
    """When each of these people signed, voted or commented here, between start and end."""
    found: dict[int, list[datetime]] = defaultdict(list)
    window = {"created_at__gte": start, "created_at__lt": end, "user_id__in": users}
    for user_id, at in await Signature.filter(
        **window, mandate__municipality_id=municipality_id
    ).values_list("user_id", "created_at"):
        found[user_id].append(at)
    for user_id, at in await Participation.filter(
        **window, vote__municipality_id=municipality_id
    ).values_list("user_id", "created_at"):
        found[user_id].append(at)
    for user_id, at in await Comment.filter(
        created_at__gte=start,
        created_at__lt=end,
        author_id__in=users,
        thread__municipality_id=municipality_id,
    ).values_list("author_id", "created_at"):
        found[user_id].append(at)
    return found


def _took_part(invitation: Invitation, moments: dict[int, list[datetime]]) -> bool:
    if invitation.user_id is None:
        return False
    until = invitation.sent_at + rules.TOOK_PART_WITHIN
    return any(invitation.sent_at <= at < until for at in moments.get(invitation.user_id, []))


async def funnel(slug: str, period_text: str) -> Funnel:
    """Raises NotFound (municipality) and InvalidInput (`period`)."""
    municipality = await offer.municipality_here(slug)
    zone = ZoneInfo(municipality.time_zone)
    period = periods.parse_period(period_text, clock.now(), zone)
    types = {t.id: t for t in await ServiceType.filter(municipality_id=municipality.id)}
    visits = await ServiceVisit.filter(
        municipality_id=municipality.id,
        occurred_at__gte=period.start,
        occurred_at__lt=period.end,
    )
    invitations = {
        i.visit_id: i for i in await Invitation.filter(visit_id__in=[v.id for v in visits] or [0])
    }
    moments: dict[int, list[datetime]] = {}
    if invitations:
        users = sorted({i.user_id for i in invitations.values() if i.user_id is not None})
        first = min(i.sent_at for i in invitations.values())
        last = max(i.sent_at for i in invitations.values()) + rules.TOOK_PART_WITHIN
        moments = await _moments(municipality.id, users, first, last) if users else {}
    rows: dict[tuple[str, str], Row] = {}
    for visit in visits:
        kind = types[visit.service_type_id]
        month = periods.month_of(visit.occurred_at, zone)
        row = rows.setdefault((kind.code, month), Row(kind.code, kind.name_de, kind.name_en, month))
        row.visits += 1
        row.outcomes[visit.outcome.value] += 1
        if visit.requested_at and visit.completed_at:
            row.minutes.append((visit.completed_at - visit.requested_at).total_seconds() / 60)
        invitation = invitations.get(visit.id)
        if invitation is None:
            continue
        row.invitations += 1
        row.opened += invitation.opened_at is not None
        row.took_part += _took_part(invitation, moments)
        if invitation.score is not None:
            row.scores.append(invitation.score)
    return Funnel(period, [rows[key] for key in sorted(rows)])
