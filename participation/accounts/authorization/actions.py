"""What the accounts area lets people do: hand out roles, read the audit, verify residents."""

from __future__ import annotations

from participation.permissions import ADMIN, Action, Need, Role

MODERATE = Action("discussion:moderate", Need(roles=frozenset({Role.MODERATOR, Role.ADMIN})))
MANAGE_ROLES = Action("roles:manage", Need(roles=ADMIN))
VIEW_AUDIT_LOG = Action("audit:view", Need(roles=ADMIN))
VERIFY_RESIDENT = Action("residency:verify", Need(roles=ADMIN))

ACTIONS = (MODERATE, MANAGE_ROLES, VIEW_AUDIT_LOG, VERIFY_RESIDENT)
