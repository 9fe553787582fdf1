"""Who stands how towards a mandate; the engine is participation.permissions."""

from __future__ import annotations

from participation.actors import Actor
from participation.mandates.actions import DECIDE_MANDATE, MOVE_AS_INITIATOR, VIEW_DRAFT
from participation.mandates.lifecycle import Mover
from participation.mandates.models import Mandate, Status
from participation.permissions import Place, may


def _place(mandate: Mandate) -> Place:
    return Place(mandate.municipality_id, district_id=mandate.district_id)


def movers_for(actor: Actor | None, mandate: Mandate) -> frozenset[Mover]:
    """The capacities in which `actor` stands towards `mandate`."""
    movers = set()
    place = _place(mandate)
    if may(actor, MOVE_AS_INITIATOR, place, owner_id=mandate.initiator_id):
        movers.add(Mover.INITIATOR)
    if may(actor, DECIDE_MANDATE, place):
        movers.add(Mover.COUNCIL)
    return frozenset(movers)


def may_view(actor: Actor | None, mandate: Mandate) -> bool:
    """Drafts are seen only by their initiator and the municipality's council."""
    if mandate.status != Status.DRAFT:
        return True
    return may(actor, VIEW_DRAFT, _place(mandate), owner_id=mandate.initiator_id)
