"""Who may report, moderate and suspend in a municipality's discussions."""

from __future__ import annotations

from participation.permissions import Action, Need, Role

MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})

# The people who may take part here may report; the municipality's level decides who.
FLAG_COMMENT = Action("moderation:flag", Need(level=True))
# The queue, hiding, restoring, dismissing flags, locking, an account's contributions.
MODERATE_DISCUSSION = Action("moderation:moderate", Need(roles=MODERATORS))
SUSPEND_ACCOUNT = Action("moderation:suspend", Need(roles=MODERATORS))
# The author of a hidden comment, once.
REQUEST_REVIEW = Action("moderation:review:request", Need(owner=True))

ACTIONS = (FLAG_COMMENT, MODERATE_DISCUSSION, SUSPEND_ACCOUNT, REQUEST_REVIEW)
