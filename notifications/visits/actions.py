"""Who may change a municipality's service catalogue and invitation rules."""

from __future__ import annotations

from participation.permissions import Action, Need, Role

MANAGE_SERVICE_VISITS = Action("visits:manage", Need(roles=frozenset({Role.ADMIN})))

ACTIONS = (MANAGE_SERVICE_VISITS,)
