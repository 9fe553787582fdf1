"""Votes in any status, reached through the commands the council would run."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from participation import clock
from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.votes import commands
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.models import Rule, Vote, VoteStatus
from participation.votes.queries import options_of

_numbers = itertools.count(1)

BUDGET_OPTIONS = (
    OptionDraft("Spielplatz Mitte", "Neue Geräte.", 40_000_00),
    OptionDraft("Radweg Nord", "", 60_000_00),
    OptionDraft("Bänke im Park", "", 10_000_00),
    OptionDraft("Trinkbrunnen", "", 20_000_00),
)
PLAIN_OPTIONS = (
    OptionDraft("Schulen zuerst"),
    OptionDraft("Radwege zuerst"),
    OptionDraft("Parks zuerst"),
    OptionDraft("Bibliothek zuerst"),
)
_DEFAULTS: dict[Rule, dict[str, Any]] = {
    Rule.APPROVAL: {"max_choices": 2},
    Rule.CUMULATIVE: {"points_total": 5, "points_max_per_option": 3},
    Rule.GREEDY: {"budget_cents": 100_000_00},
    Rule.GREEDY_THRESHOLD: {"budget_cents": 100_000_00, "min_votes": 2},
    Rule.MES: {"budget_cents": 100_000_00},
    Rule.ORDINAL_GREEDY: {"budget_cents": 100_000_00, "max_choices": 2},
}


def draft(rule: Rule = Rule.APPROVAL, **overrides: Any) -> VoteDraft:
    now = clock.now()
    values: dict[str, Any] = {
        "title": f"Abstimmung {next(_numbers)}",
        "description": "Was kommt **zuerst**?",
        "rule": rule,
        "opens_at": now + timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        **_DEFAULTS.get(rule, {}),
    }
    values.update(overrides)
    return VoteDraft(**values)


def options_for(rule: Rule) -> Sequence[OptionDraft]:
    budgeted = rule in {Rule.GREEDY, Rule.GREEDY_THRESHOLD, Rule.MES, Rule.ORDINAL_GREEDY}
    return BUDGET_OPTIONS if budgeted else PLAIN_OPTIONS


async def vote(
    council: Actor,
    municipality: Municipality,
    status: VoteStatus = VoteStatus.OPEN,
    rule: Rule = Rule.APPROVAL,
    *,
    options: Sequence[OptionDraft] | None = None,
    mandate_id: int | None = None,
    **overrides: Any,
) -> Vote:
    """A vote of `municipality` in `status`, moved there by `council`."""
    created = await commands.create_vote(
        council,
        draft(rule, **overrides),
        options if options is not None else options_for(rule),
        municipality_slug=None if mandate_id else municipality.slug,
        mandate_id=mandate_id,
    )
    path = {
        VoteStatus.DRAFT: [],
        VoteStatus.SCHEDULED: [VoteStatus.SCHEDULED],
        VoteStatus.OPEN: [VoteStatus.SCHEDULED, VoteStatus.OPEN],
        VoteStatus.CLOSED: [VoteStatus.SCHEDULED, VoteStatus.OPEN, VoteStatus.CLOSED],
        VoteStatus.PUBLISHED: [
            VoteStatus.SCHEDULED,
            VoteStatus.OPEN,
            VoteStatus.CLOSED,
            VoteStatus.PUBLISHED,
        ],
        VoteStatus.CANCELLED: [VoteStatus.CANCELLED],
    }[status]
    for step in path:
        reason = "Für den Test." if step in (VoteStatus.CLOSED, VoteStatus.CANCELLED) else None
        await commands.transition_vote(council, created.id, step, reason)
    return await Vote.get(id=created.id)


async def option_ids(vote_id: int) -> list[int]:
    return [o.id for o in await options_of(vote_id)]
