"""Who may do what with mandates, as pure functions of actor, action and subject."""

from __future__ import annotations

from participation.accounts.actors import Actor
from participation.accounts.models import Role
from participation.mandates.models import Mandate, Status
from participation.mandates.rules import Mover

COUNCIL_ROLES = (Role.COUNCIL, Role.ADMIN)


def movers_for(actor: Actor | None, mandate: Mandate) -> frozenset[Mover]:
    """The capacities in which `actor` stands towards `mandate`."""
    if actor is None:
        return frozenset()
    movers = set()
    if mandate.initiator_id == actor.user_id:
        movers.add(Mover.INITIATOR)
    if actor.has_role(mandate.municipality_id, *COUNCIL_ROLES):
        movers.add(Mover.COUNCIL)
    return frozenset(movers)


def may_launch(actor: Actor | None) -> bool:
    return actor is not None and actor.email_verified


def may_sign(actor: Actor | None) -> bool:
    return actor is not None and actor.email_verified


def may_view(actor: Actor | None, mandate: Mandate) -> bool:
    """Drafts are seen only by their initiator and the municipality's council."""
    return mandate.status != Status.DRAFT or bool(movers_for(actor, mandate))
