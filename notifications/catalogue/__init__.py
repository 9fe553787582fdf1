"""Every kind of notification, one module per area whose events they tell of."""

from __future__ import annotations

from notifications.catalogue import (
    accessibility,
    answers,
    council,
    deliberation,
    mandates,
    moderation,
    plans,
    votes,
)

KINDS = (
    *mandates.KINDS,
    *answers.KINDS,
    *plans.KINDS,
    *votes.KINDS,
    *deliberation.KINDS,
    *moderation.KINDS,
    *council.KINDS,
    *accessibility.KINDS,
)
