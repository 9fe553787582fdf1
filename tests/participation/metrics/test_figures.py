"""The registry: every figure the API promises, each defined, with a German text."""

from __future__ import annotations

import pytest

from participation.errors import InvalidInput
from participation.metrics.figures import FIGURES, figure_named

ISSUE_FIGURES = {
    "first_answer_days",
    "promise_kept_share",
    "completion_days",
    "accepted_share",
    "rejected_share",
    "open_share",
    "outcome_satisfaction",
    "traceability_share",
    "participants",
    "signatures",
    "mandates_launched",
    "ballots",
    "comments",
    "flags",
    "hidden_items",
    "moderation_decision_hours",
    "service_duration_days",
    "service_satisfaction",
    "invitation_conversion_share",
}


def test_every_figure_of_the_design_is_registered() -> None:
    assert set(FIGURES) == ISSUE_FIGURES


def test_every_figure_says_what_it_counts_and_what_it_does_not() -> None:
    for figure in FIGURES.values():
        assert figure.title and figure.definition and figure.caveat, figure.id
        assert figure.kind in ("median", "share", "mean", "count")
        assert figure.better in ("lower", "higher", None)
        assert (figure.kind == "count") == (figure.unit == "count")


def test_counts_are_never_ranked_and_service_figures_are_per_service_type() -> None:
    assert all(f.better is None for f in FIGURES.values() if f.kind == "count")
    services = {f.id for f in FIGURES.values() if f.per_service_type}
    assert services == {
        "service_duration_days",
        "service_satisfaction",
        "invitation_conversion_share",
    }
    assert not any(FIGURES[s].by_department for s in services)


def test_an_unknown_figure_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        figure_named("fastest_answers")
    assert [e.field for e in refused.value.errors] == ["figure"]
