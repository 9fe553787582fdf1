"""What operators and administrators do with the municipality itself."""

from __future__ import annotations

from participation.permissions import ADMIN, Action, Need

CONFIGURE_MUNICIPALITY = Action("municipality:configure", Need(roles=ADMIN))
MANAGE_DEPARTMENTS = Action("department:manage", Need(roles=ADMIN))
# Deployment-wide: checked at permissions.DEPLOYMENT.
CREATE_MUNICIPALITY = Action("municipality:create", Need(operator=True))

ACTIONS = (CONFIGURE_MUNICIPALITY, MANAGE_DEPARTMENTS, CREATE_MUNICIPALITY)
