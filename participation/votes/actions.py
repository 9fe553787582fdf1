"""What people do with votes, and what each needs (the engine is participation.permissions)."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

PROPOSE_VOTE = Action("vote:propose", Need(roles=COUNCIL, owner=True))
MANAGE_VOTE = Action("vote:manage", Need(roles=COUNCIL))
CAST_BALLOT = Action("vote:cast", Need(level=True))

ACTIONS = (PROPOSE_VOTE, MANAGE_VOTE, CAST_BALLOT)
