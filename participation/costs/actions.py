"""What the council does with cost analyses and what each needs; the engine is in permissions."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

# Writing, revising and publishing; seeing drafts and unpublished revisions goes with it.
WRITE_COST_ANALYSIS = Action("costs:write", Need(roles=COUNCIL))
PUBLISH_COST_ANALYSIS = Action("costs:publish", Need(roles=COUNCIL))
VIEW_COST_DRAFTS = Action("costs:view_drafts", Need(roles=COUNCIL))

ACTIONS = (WRITE_COST_ANALYSIS, PUBLISH_COST_ANALYSIS, VIEW_COST_DRAFTS)
