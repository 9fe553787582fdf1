"""What the council does on a mandate it works on: assign it, answer it."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

ASSIGN_MANDATE = Action("mandate:assign", Need(roles=COUNCIL))
RESPOND_TO_MANDATE = Action("mandate:respond", Need(roles=COUNCIL))

ACTIONS = (ASSIGN_MANDATE, RESPOND_TO_MANDATE)
