"""What administrators do with the municipality itself."""

from __future__ import annotations

from participation.permissions import ADMIN, Action, Need

CONFIGURE_MUNICIPALITY = Action("municipality:configure", Need(roles=ADMIN))
MANAGE_DEPARTMENTS = Action("department:manage", Need(roles=ADMIN))

ACTIONS = (CONFIGURE_MUNICIPALITY, MANAGE_DEPARTMENTS)
