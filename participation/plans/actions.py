"""What the council does with a mandate's action plan, and what each needs."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

CREATE_MEASURE = Action("plans:create_measure", Need(roles=COUNCIL))
UPDATE_MEASURE = Action("plans:update_measure", Need(roles=COUNCIL))
ADD_MILESTONE = Action("plans:add_milestone", Need(roles=COUNCIL))

ACTIONS = (CREATE_MEASURE, UPDATE_MEASURE, ADD_MILESTONE)
