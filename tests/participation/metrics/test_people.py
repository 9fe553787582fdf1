"""A person's months make her people cells: once a month, a quarter, a year, and a running
sum that counts her once in every 12-month window holding one of her months."""

from __future__ import annotations

from collections import Counter

from participation.metrics import people


def _window(months: list[str], at: str) -> int:
    cells = people.cells_of(months)
    return sum(
        n for (_, _, m, measure, _), n in cells.items() if measure == people.ROLLING and m <= at
    )


def test_once_per_month_quarter_and_year() -> None:
    cells = people.cells_of(["2026-10", "2026-11", "2026-11", "2027-02"])
    assert {(m, measure): n for (_, _, m, measure, _), n in cells.items() if n > 0} == {
        ("2026-10", "people_month"): 1,
        ("2026-11", "people_month"): 1,
        ("2027-02", "people_month"): 1,
        ("2026-10", "people_quarter"): 1,
        ("2027-01", "people_quarter"): 1,
        ("2026-01", "people_year"): 1,
        ("2027-01", "people_year"): 1,
        ("2026-10", "people_window"): 1,
    }


def test_the_window_counts_her_while_one_of_her_months_is_in_it() -> None:
    months = ["2025-03", "2025-05", "2026-09"]
    assert _window(months, "2025-02") == 0
    assert _window(months, "2025-03") == 1
    assert _window(months, "2026-04") == 1  # May 2025 is still in the window
    assert _window(months, "2026-05") == 0  # the window begins in June 2025
    assert _window(months, "2026-09") == 1
    assert _window(months, "2027-08") == 1
    assert _window(months, "2027-09") == 0


def test_a_change_is_the_difference_of_her_cells() -> None:
    before, after = ["2026-01"], ["2026-01", "2026-02"]
    assert people.change(before, after) == Counter(
        {
            (0, "", "2026-02", "people_month", 0): 1,
            (0, "", "2027-01", "people_window", 0): 1,  # January 2027's window holds February
            (0, "", "2027-02", "people_window", 0): -1,
        }
    )
    assert people.change(after, after) == Counter()


def test_which_cells_count_a_period() -> None:
    assert people.measure_for(("2026-11",)) == people.MONTH
    assert people.measure_for(("2026-10", "2026-11", "2026-12")) == people.QUARTER
    year = tuple(f"2026-{m:02d}" for m in range(1, 13))
    assert people.measure_for(year) == people.YEAR
    rolling = (*(f"2025-{m:02d}" for m in range(12, 13)), *(f"2026-{m:02d}" for m in range(1, 12)))
    assert people.measure_for(rolling) == people.ROLLING
