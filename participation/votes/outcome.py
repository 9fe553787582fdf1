"""A vote's result: its stored ballots counted by its rule with `rules.py`. No I/O.

Options go to the rules as their ids written as text, in ballot order, so the result
names them exactly as the published Pabulib file does and a recount can be compared
line by line. Money is in cents; the add-one step of Equal Shares raises every voter's
share by one euro (100 cents), the currency unit of the issue's definition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from participation.messages import Message
from participation.votes.ballots import Choice, Parameters
from participation.votes.models import Rule
from participation.votes.tally import rules

ADD_ONE_CENTS = 100

# The sentence on tie-breaking the result page prints, per rule, as rules.py decides it.
TIE_BREAKS = {
    Rule.APPROVAL: Message("Equal counts keep the order of the ballot."),
    Rule.CUMULATIVE: Message("Equal totals keep the order of the ballot."),
    Rule.IRV: Message(
        "Of candidates tied for elimination, the one with fewer votes in the latest "
        "earlier round where they differ is eliminated; if they were level in every round, "
        "the one listed last on the ballot."
    ),
    Rule.SCHULZE: Message(
        "Options the method leaves unordered go by how many options each ranks "
        "above, then by the order of the ballot."
    ),
    Rule.GREEDY: Message("Equal scores go cheaper project first, then the order of the ballot."),
    Rule.GREEDY_THRESHOLD: Message(
        "Equal scores go cheaper project first, then the order of the ballot."
    ),
    Rule.MES: Message(
        "Projects at the same price go more approvals first, then cheaper project "
        "first, then the order of the ballot. When the comparison with greedy is a tie, "
        "Equal Shares' outcome is taken."
    ),
    Rule.ORDINAL_GREEDY: Message(
        "Equal points go cheaper project first, then the order of the ballot."
    ),
}


def tally(
    parameters: Parameters, options: Sequence[Choice], ballots: Sequence[Any]
) -> rules.Result:
    """Count stored ballots (see `ballots.normalise` for their shapes)."""
    ids = [str(o.id) for o in options]
    costs = {str(o.id): o.cost_cents or 0 for o in options}
    budget = parameters.budget_cents or 0
    rule = parameters.rule
    if rule == Rule.CUMULATIVE:
        return rules.cumulative(ids, [dict(b) for b in ballots])
    listed = [[str(i) for i in b] for b in ballots]
    if rule == Rule.APPROVAL:
        return rules.approval(ids, listed)
    if rule == Rule.IRV:
        return rules.irv(ids, listed)
    if rule == Rule.SCHULZE:
        return rules.schulze(ids, listed)
    if rule == Rule.MES:
        return rules.equal_shares(costs, budget, listed, "add1", True, increment=ADD_ONE_CENTS)
    if rule == Rule.ORDINAL_GREEDY:
        return rules.greedy(
            costs, budget, rules.ordinal_scores(listed, parameters.max_choices or 1)
        )
    approvals = Counter(option for ballot in listed for option in ballot)
    threshold = (parameters.min_votes or 0) if rule == Rule.GREEDY_THRESHOLD else 0
    return rules.greedy(costs, budget, {i: approvals[i] for i in ids}, threshold)


def result_of(
    parameters: Parameters,
    options: Sequence[Choice],
    ballots: Sequence[Any],
    min_turnout: int,
) -> dict[str, Any]:
    """The published result: the tally, or "quorum not met" without one.

    A vote nobody took part in has no winner, whatever its minimum turnout.
    """
    turnout = len(ballots)
    met = turnout >= max(min_turnout, 1)
    summary = {
        "vote_rule": parameters.rule.value,
        "turnout": turnout,
        "min_turnout": min_turnout,
        "quorum_met": met,
        "tie_break": TIE_BREAKS[parameters.rule],
    }
    if not met:
        return {"rule": parameters.rule.value, "winners": [], "rounds": [], "details": {}} | summary
    return tally(parameters, options, ballots).to_json() | summary
