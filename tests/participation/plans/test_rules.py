"""The action plan's rules without a database: validation, moves, and derived progress."""

from __future__ import annotations

from datetime import date

import pytest

from participation.plans import rules
from participation.plans.models import MeasureStatus
from participation.plans.rules import Change, Counted, MoveRefused, derived_progress, weighting

M = MeasureStatus
START = date(2027, 3, 1)
END = date(2027, 6, 30)


# -- derived progress ------------------------------------------------------------------------


def test_no_measures_means_no_progress() -> None:
    assert derived_progress([]) is None
    assert weighting([]) is None


def test_only_dropped_measures_means_no_progress() -> None:
    assert derived_progress([Counted(M.DROPPED, 40, weight=3)]) is None


def test_weights_decide_when_every_counted_measure_has_one() -> None:
    # (3·100 + 1·0) / 4 = 75, where the plain average would be 50.
    measures = [Counted(M.DONE, 100, weight=3), Counted(M.PLANNED, 0, weight=1)]
    assert weighting(measures) == "weights"
    assert derived_progress(measures) == 75


def test_costs_decide_when_a_weight_is_missing_and_every_measure_has_a_cost() -> None:
    # 9,000 € done and 1,000 € not begun: 90 %, whatever the single weight says.
    measures = [
        Counted(M.DONE, 100, weight=1, cost_cents=900_000),
        Counted(M.PLANNED, 0, cost_cents=100_000),
    ]
    assert weighting(measures) == "costs"
    assert derived_progress(measures) == 90


def test_the_plain_average_decides_when_neither_weights_nor_costs_are_complete() -> None:
    measures = [
        Counted(M.IN_PROGRESS, 30, weight=5, cost_cents=100),
        Counted(M.IN_PROGRESS, 60),
        Counted(M.DONE, 100, cost_cents=500),
    ]
    assert weighting(measures) == "average"
    # (30 + 60 + 100) / 3 = 63.33…
    assert derived_progress(measures) == 63


def test_a_zero_cost_is_no_weight_to_go_by() -> None:
    measures = [Counted(M.DONE, 100, cost_cents=0), Counted(M.PLANNED, 0, cost_cents=0)]
    assert weighting(measures) == "average"
    assert derived_progress(measures) == 50


def test_dropped_measures_do_not_count_even_with_a_weight_or_progress() -> None:
    measures = [
        Counted(M.DONE, 100, weight=1),
        Counted(M.DROPPED, 80, weight=1000),
        # Without a weight: had it counted, the plain average would have been used.
        Counted(M.DROPPED, 10),
    ]
    assert weighting(measures) == "weights"
    assert derived_progress(measures) == 100


def test_a_done_measure_counts_as_100_whatever_its_stored_progress() -> None:
    assert derived_progress([Counted(M.DONE, 20), Counted(M.PLANNED, 0)]) == 50


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        # 12.5 → 13: halves round up.
        ([25, 0], 13),
        # 33.33… → 33, 66.67 → 67.
        ([100, 0, 0], 33),
        ([100, 100, 0], 67),
        # 99.67 would round to 100 while one measure is not done: shown as 99.
        ([100, 100, 99], 99),
        # 0.33 would round to 0 although work has begun: shown as 1.
        ([1, 0, 0], 1),
        ([0, 0], 0),
        ([100, 100], 100),
    ],
)
def test_rounding_to_whole_percent(progress: list[int], expected: int) -> None:
    measures = [Counted(M.IN_PROGRESS, p) for p in progress]
    assert derived_progress(measures) == expected


def test_weighted_rounding_uses_the_exact_fraction() -> None:
    # (1·50 + 2·25) / 3 = 33.33…; (1·50 + 3·25) / 4 = 31.25; (1·1 + 1·0) / 2 = 0.5 → 1.
    assert derived_progress([Counted(M.IN_PROGRESS, 50, 1), Counted(M.IN_PROGRESS, 25, 2)]) == 33
    assert derived_progress([Counted(M.IN_PROGRESS, 50, 1), Counted(M.IN_PROGRESS, 25, 3)]) == 31
    assert derived_progress([Counted(M.IN_PROGRESS, 1, 1), Counted(M.PLANNED, 0, 1)]) == 1


# -- measures and milestones --------------------------------------------------------------------


def test_a_valid_measure_has_no_problems() -> None:
    assert rules.check_measure("Bänke aufstellen", "**Zehn** Bänke.", START, END, 5) == {}
    assert rules.check_measure("x" * 200, "", START, START, None) == {}


def test_every_bad_field_of_a_measure_is_named() -> None:
    problems = rules.check_measure("  ", "x" * 10_001, END, START, 0)
    assert set(problems) == {"title", "description", "planned_end", "weight"}


@pytest.mark.parametrize("weight", [0, -1, 1001, True])
def test_weights_are_whole_numbers_from_1_to_1000(weight: int) -> None:
    assert set(rules.check_measure("T", "", START, END, weight)) == {"weight"}


def test_titles_are_one_line_of_at_most_200_characters() -> None:
    assert set(rules.check_measure("x" * 201, "", START, END, None)) == {"title"}
    assert set(rules.check_measure("zwei\nZeilen", "", START, END, None)) == {"title"}


def test_missing_dates_are_named() -> None:
    assert set(rules.check_measure("T", "", None, None, None)) == {"planned_start", "planned_end"}


def test_a_milestone_may_not_come_before_its_measures_start() -> None:
    assert rules.check_milestone("Auftrag vergeben", START, "", START) == {}
    assert rules.check_milestone("Nach dem Ende", date(2028, 1, 1), "", START) == {}
    problems = rules.check_milestone("Zu früh", date(2027, 2, 28), "", START)
    assert set(problems) == {"date"}
    assert "2027-03-01" in problems["date"]


# -- moves -------------------------------------------------------------------------------------


def test_a_measure_starts_then_is_done() -> None:
    assert rules.check_update(M.PLANNED, 0, M.IN_PROGRESS, None, None) == Change(
        M.IN_PROGRESS, 0, None
    )
    assert rules.check_update(M.PLANNED, 0, M.IN_PROGRESS, 20, None) == Change(
        M.IN_PROGRESS, 20, None
    )
    assert rules.check_update(M.IN_PROGRESS, 20, None, 55, None) == Change(M.IN_PROGRESS, 55, None)
    assert rules.check_update(M.IN_PROGRESS, 55, M.DONE, None, None) == Change(M.DONE, 100, None)


def test_dropping_needs_a_public_reason_and_keeps_the_progress() -> None:
    assert rules.check_update(M.IN_PROGRESS, 40, M.DROPPED, None, "  ") == {
        "reason": "Say in public why the measure is dropped."
    }
    assert rules.check_update(M.IN_PROGRESS, 40, M.DROPPED, None, " Kein Geld. ") == Change(
        M.DROPPED, 40, "Kein Geld."
    )
    assert rules.check_update(M.PLANNED, 0, M.DROPPED, None, "Doppelt.") == Change(
        M.DROPPED, 0, "Doppelt."
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (M.PLANNED, M.DONE),
        (M.IN_PROGRESS, M.PLANNED),
        (M.DONE, M.IN_PROGRESS),
        (M.DONE, M.DROPPED),
        (M.DROPPED, M.IN_PROGRESS),
    ],
)
def test_moves_that_do_not_exist_are_refused_with_those_that_do(
    current: MeasureStatus, target: MeasureStatus
) -> None:
    reason = "Weil." if target == M.DROPPED else None
    with pytest.raises(MoveRefused) as refused:
        rules.check_update(current, 0, target, None, reason)
    assert refused.value.allowed == sorted(s.value for s in rules.MOVES[current])


@pytest.mark.parametrize("progress", [-1, 101, 1000, True])
def test_progress_outside_0_to_100_is_named(progress: int) -> None:
    assert set(rules.check_update(M.IN_PROGRESS, 0, None, progress, None)) == {"progress"}  # type: ignore[arg-type]


def test_progress_is_reported_on_a_measure_in_progress_only() -> None:
    with pytest.raises(MoveRefused):
        rules.check_update(M.PLANNED, 0, None, 30, None)
    with pytest.raises(MoveRefused):
        rules.check_update(M.IN_PROGRESS, 30, M.DROPPED, 50, "Weil.")
    assert set(rules.check_update(M.IN_PROGRESS, 30, M.DONE, 80, None)) == {"progress"}


def test_a_reason_goes_only_with_dropping_and_an_empty_update_is_refused() -> None:
    assert set(rules.check_update(M.IN_PROGRESS, 0, M.DONE, None, "Fertig.")) == {"reason"}
    assert set(rules.check_update(M.IN_PROGRESS, 0, None, None, None)) == {"body"}


def test_naming_the_current_status_again_changes_nothing() -> None:
    assert rules.check_update(M.IN_PROGRESS, 30, M.IN_PROGRESS, None, None) == Change(
        M.IN_PROGRESS, 30, None
    )
