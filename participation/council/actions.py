"""What the council does in its own area, and who may."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

VIEW_REVIEW_QUEUE = Action("council:view_review_queue", Need(roles=COUNCIL))

ACTIONS = (VIEW_REVIEW_QUEUE,)
