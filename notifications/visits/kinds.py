"""The invitation as a kind of notification: to the invited person alone, by inbox and
email, covered by her consent to service-visit invitations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from notifications.kinds import Category, Kind, Recipient
from notifications.models import Reason
from notifications.visits import links, rules
from notifications.visits.models import Invitation, ServiceVisit, Target
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from participation.outbox.envelope import Event
from participation.votes.models import Vote

INVITATION_SENT = "visits:invitation:sent"


async def _invited(event: Event) -> Sequence[Recipient]:
    return [Recipient(int(event.payload["user_id"]), Reason.INVITED)]


async def _title(invitation: Invitation) -> tuple[str, str | None]:
    """The consultation's title, and when it closes."""
    if invitation.target == Target.VOTE:
        vote = await Vote.get(id=invitation.target_id)
        return vote.title, vote.closes_at.isoformat() if vote.closes_at else None
    mandate = await Mandate.get(id=invitation.target_id)
    closes = mandate.closes_at if invitation.target == Target.MANDATE else None
    return mandate.title, closes.isoformat() if closes else None


async def _data(event: Event) -> dict[str, Any]:
    invitation = await Invitation.get(id=event.payload["invitation_id"])
    visit = await ServiceVisit.get(id=invitation.visit_id).prefetch_related("service_type")
    municipality = await Municipality.get(id=invitation.municipality_id)
    title, closes_at = await _title(invitation)
    return {
        "subject_title": title,
        "url": links.open_path(invitation.token),
        "municipality_name": municipality.name,
        "actor_name": None,
        "target": invitation.target.value,
        "closes_at": closes_at,
        "service_type": visit.service_type.code,
        "service_name_de": visit.service_type.name_de,
        "service_name_en": visit.service_type.name_en,
        "satisfaction_urls": {
            str(score): links.score_path(invitation.token, score) for score in rules.SCORES
        },
    }


INVITATION = Kind(
    INVITATION_SENT,
    Category.INVITATIONS,
    _invited,
    _data,
    consented_by="service_visit_invitations",
)

KINDS = (INVITATION,)
