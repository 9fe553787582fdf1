"""Periods are municipal months; future periods are refused; each has one before it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from participation import periods
from participation.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_a_period_is_its_months() -> None:
    assert periods.parse_period("2026-11", NOW, BERLIN).months == ("2026-11",)
    assert periods.parse_period("2026-Q4", NOW, BERLIN).months == ("2026-10", "2026-11", "2026-12")
    year = periods.parse_period("2026", NOW, BERLIN).months
    assert (len(year), year[0], year[-1]) == (12, "2026-01", "2026-12")
    last = periods.parse_period("last-12-months", NOW, BERLIN).months
    assert (len(last), last[0], last[-1]) == (12, "2026-01", "2026-12")


def test_the_current_month_is_the_municipality_s() -> None:
    new_year_in_berlin = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    last = periods.parse_period("last-12-months", new_year_in_berlin, BERLIN)
    assert last.months[-1] == "2027-01"
    assert periods.month_of(new_year_in_berlin, BERLIN) == "2027-01"


@pytest.mark.parametrize("text", ["2026-12", "2026-Q4", "2026", "2025-03", "last-12-months"])
def test_periods_that_have_begun_are_accepted(text: str) -> None:
    assert periods.past_period(text, NOW, BERLIN).name == text


@pytest.mark.parametrize("text", ["2027-01", "2027-Q1", "2027"])
def test_future_periods_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        periods.past_period(text, NOW, BERLIN)
    assert [e.field for e in refused.value.errors] == ["period"]
    assert "future" in str(refused.value.errors[0].message)


@pytest.mark.parametrize(
    "text",
    ["0000", "0001", "9999", "9999-12", "1899-Q4", "2026\n", "\u0662\u0660\u0662\u0666", "2026-13"],
)
def test_malformed_or_far_periods_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        periods.past_period(text, NOW, BERLIN)
    assert [e.field for e in refused.value.errors] == ["period"]


@pytest.mark.parametrize(
    ("text", "before", "months"),
    [
        ("2026-01", "2025-12", ("2025-12",)),
        ("2026-Q1", "2025-Q4", ("2025-10", "2025-11", "2025-12")),
        ("2026-Q3", "2026-Q2", ("2026-04", "2026-05", "2026-06")),
        ("2026", "2025", None),
        ("last-12-months", "2025-01/2025-12", None),
    ],
)
def test_the_comparable_period_before(
    text: str, before: str, months: tuple[str, ...] | None
) -> None:
    previous = periods.previous(periods.parse_period(text, NOW, BERLIN), BERLIN)
    assert previous.name == before
    if months is not None:
        assert previous.months == months
    assert previous.end == periods.parse_period(text, NOW, BERLIN).start


def test_the_months_of_a_trend_end_with_the_last() -> None:
    assert periods.months_until("2026-02", 3) == ("2025-12", "2026-01", "2026-02")
