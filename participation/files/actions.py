"""What people do with attachments, and what each needs (engine: participation.permissions)."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

# The council attaches to anything of its mandates; the initiator to her mandate itself.
ATTACH_FILE = Action("files:attach", Need(roles=COUNCIL, owner=True))
# Attachments of what the public cannot see yet (a cost analysis still in draft).
VIEW_UNPUBLISHED = Action("files:view_unpublished", Need(roles=COUNCIL))

ACTIONS = (ATTACH_FILE, VIEW_UNPUBLISHED)
