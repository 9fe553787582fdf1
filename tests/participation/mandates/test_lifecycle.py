"""The mandate state machine, without a database."""

from __future__ import annotations

import itertools

import pytest

from participation.mandates import lifecycle
from participation.mandates.lifecycle import Mover
from participation.mandates.models import Status

S = Status

# The lifecycle as the issue describes it, written out independently of lifecycle.py.
ALLOWED = {
    (S.DRAFT, S.COLLECTING): Mover.INITIATOR,
    (S.DRAFT, S.WITHDRAWN): Mover.INITIATOR,
    (S.COLLECTING, S.WITHDRAWN): Mover.INITIATOR,
    (S.COLLECTING, S.SUBMITTED): Mover.SYSTEM,
    (S.COLLECTING, S.EXPIRED): Mover.SYSTEM,
    (S.SUBMITTED, S.IN_REVIEW): Mover.COUNCIL,
    (S.IN_REVIEW, S.ACCEPTED): Mover.COUNCIL,
    (S.IN_REVIEW, S.REJECTED): Mover.COUNCIL,
    (S.ACCEPTED, S.IN_PROGRESS): Mover.COUNCIL,
    (S.IN_PROGRESS, S.COMPLETED): Mover.COUNCIL,
}
# Each move's event, named in the past tense after the move, not the status it reaches.
EVENTS = {
    S.COLLECTING: "mandates:mandate:published",
    S.SUBMITTED: "mandates:mandate:submitted",
    S.IN_REVIEW: "mandates:mandate:reviewed",
    S.ACCEPTED: "mandates:mandate:accepted",
    S.IN_PROGRESS: "mandates:mandate:started",
    S.COMPLETED: "mandates:mandate:completed",
    S.REJECTED: "mandates:mandate:rejected",
    S.WITHDRAWN: "mandates:mandate:withdrawn",
    S.EXPIRED: "mandates:mandate:expired",
}
FORBIDDEN = [pair for pair in itertools.product(S, S) if pair not in ALLOWED]
ALL_MOVERS = frozenset(Mover)


def test_every_status_of_the_api_contract_exists() -> None:
    assert {s.value for s in S} == {
        "draft",
        "collecting",
        "submitted",
        "in_review",
        "accepted",
        "in_progress",
        "completed",
        "rejected",
        "withdrawn",
        "expired",
    }


@pytest.mark.parametrize(("source", "target"), list(ALLOWED), ids=lambda s: str(s))
def test_allowed_transition_belongs_to_its_mover(source: Status, target: Status) -> None:
    transition = lifecycle.find(source, target)
    assert transition is not None
    assert transition.mover == ALLOWED[(source, target)]
    assert transition.needs_reason == (target == S.REJECTED)


@pytest.mark.parametrize(("source", "target"), FORBIDDEN, ids=lambda s: str(s))
def test_forbidden_transition_does_not_exist(source: Status, target: Status) -> None:
    assert lifecycle.find(source, target) is None
    assert target not in [t.target for t in lifecycle.moves_from(source, ALL_MOVERS)]


def test_the_table_has_exactly_the_allowed_transitions() -> None:
    assert {(t.source, t.target): t.mover for t in lifecycle.TRANSITIONS} == ALLOWED


@pytest.mark.parametrize("target", sorted(EVENTS), ids=str)
def test_every_move_is_named_in_the_past_tense(target: Status) -> None:
    assert lifecycle.LIFECYCLE.event_name(target) == EVENTS[target]


@pytest.mark.parametrize("status", sorted(lifecycle.FINAL))
def test_final_statuses_have_no_way_out(status: Status) -> None:
    assert lifecycle.moves_from(status, ALL_MOVERS) == []


def test_moves_are_offered_only_to_their_mover() -> None:
    initiator = {t.target for t in lifecycle.moves_from(S.COLLECTING, {Mover.INITIATOR})}
    council = {t.target for t in lifecycle.moves_from(S.COLLECTING, {Mover.COUNCIL})}
    assert initiator == {S.WITHDRAWN}
    assert council == set()
    assert [t.target for t in lifecycle.moves_from(S.IN_REVIEW, {Mover.COUNCIL})] == [
        S.ACCEPTED,
        S.REJECTED,
    ]
    assert lifecycle.moves_from(S.IN_REVIEW, {Mover.INITIATOR}) == []
    assert lifecycle.moves_from(S.DRAFT, frozenset()) == []


def test_only_drafts_are_private() -> None:
    assert set(S) - lifecycle.PUBLIC == {S.DRAFT}
