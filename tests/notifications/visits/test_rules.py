"""Periods of the funnel, the frequency cap and the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.visits import rules
from participation.errors import InvalidInput
from participation.metrics import periods

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_periods_are_months_of_the_municipality() -> None:
    november = periods.parse_period("2026-11", NOW, BERLIN)
    assert november.start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert november.end == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    quarter = periods.parse_period("2026-Q4", NOW, BERLIN)
    assert quarter.start == datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    assert quarter.end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    year = periods.parse_period("2026", NOW, BERLIN)
    assert (year.start.year, year.end.year) == (2025, 2026)
    last = periods.parse_period("last-12-months", NOW, BERLIN)
    assert last.start == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert last.end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "", "letzte-12-monate", "2026-1"])
def test_other_periods_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        periods.parse_period(text, NOW, BERLIN)
    assert [e.field for e in refused.value.errors] == ["period"]


def test_the_cap_counts_from_the_last_invitation() -> None:
    assert not rules.capped(None, NOW, 14)
    assert rules.capped(NOW - timedelta(days=13, hours=23), NOW, 14)
    assert not rules.capped(NOW - timedelta(days=14), NOW, 14)
    assert not rules.capped(NOW - timedelta(days=8), NOW, 7)


def test_satisfaction_and_duration_figures() -> None:
    figures = rules.satisfaction([5, 4, 4, 1])
    assert figures.n == 4 and figures.mean == 3.5
    assert figures.distribution == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert rules.satisfaction([]).mean is None
    waited = rules.duration([float(m) for m in range(1, 11)])
    assert (waited.n, waited.median_minutes, waited.p90_minutes) == (10, 5.5, 9.0)
    assert rules.duration([]).median_minutes is None
