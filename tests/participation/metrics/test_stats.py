"""The statistics against values worked out by hand and published tables."""

from __future__ import annotations

import pytest

from participation.metrics import stats


def test_percentile_is_a_value_some_case_had() -> None:
    waits = {1: 4, 3: 4, 10: 2}  # 1 1 1 1 3 3 3 3 10 10
    assert stats.percentile(waits, 0.9) == 10  # rank ⌈9⌉ = 9
    assert stats.percentile(waits, 0.5) == 3  # rank 5
    assert stats.percentile({7: 1}, 0.9) == 7
    assert stats.percentile({}, 0.9) is None


def test_median_of_an_even_number_is_between_the_middle_two() -> None:
    assert stats.median({1: 1, 2: 1, 4: 1, 9: 1}) == 3.0
    assert stats.median({1: 2, 5: 1}) == 1.0
    assert stats.median({}) is None


def test_counts_left_at_zero_by_withdrawals_are_no_cases() -> None:
    assert stats.cases({1: 2, 4: 0}) == 2
    assert stats.median({1: 2, 4: 0}) == 1.0


@pytest.mark.parametrize(
    ("n", "ranks"),
    [(6, (1, 6)), (10, (2, 9)), (20, (6, 15)), (100, (40, 61))],
)
def test_median_interval_ranks_match_the_published_tables(n: int, ranks: tuple[int, int]) -> None:
    # Conover, Practical Nonparametric Statistics, table A3; e.g. n = 10: P(B ≤ 1) = 11/1024.
    assert stats.median_ranks(n) == ranks


def test_too_few_cases_for_a_median_interval() -> None:
    assert stats.median_ranks(5) is None
    assert stats.median_interval({3: 1}) is None


def test_the_approximation_for_many_cases_joins_the_exact_ranks() -> None:
    exact = stats.median_ranks(stats.EXACT_UP_TO)
    approximate = stats.median_ranks(stats.EXACT_UP_TO + 2)
    assert exact is not None and approximate is not None
    assert approximate[0] - exact[0] in (0, 1)


def test_median_interval_takes_the_order_statistics() -> None:
    days = {value: 1 for value in range(1, 11)}  # 1 … 10
    assert stats.median_interval(days) == (2.0, 9.0)


def test_mean_and_its_normal_interval() -> None:
    scores = {2: 1, 4: 1}  # mean 3, s = √2, half width 1.96·√2/√2
    assert stats.mean(scores) == 3.0
    assert stats.mean_interval(scores) == pytest.approx((3 - stats.Z, 3 + stats.Z))
    assert stats.mean_interval({1: 1, 5: 1}, (1, 5)) == (1, 5)  # 3 ± 3.92, clipped
    assert stats.mean_interval({4: 1}) is None
    assert stats.mean({}) is None


@pytest.mark.parametrize(
    ("successes", "n", "interval"),
    [(8, 10, (0.4902, 0.9433)), (0, 10, (0.0, 0.2775)), (10, 10, (0.7225, 1.0))],
)
def test_wilson_matches_published_values(
    successes: int, n: int, interval: tuple[float, float]
) -> None:
    assert stats.wilson(successes, n) == pytest.approx(interval, abs=0.0001)


def test_wilson_without_cases_is_none() -> None:
    assert stats.wilson(0, 0) is None
    assert stats.share(0, 0) is None
