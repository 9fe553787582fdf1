"""The statistics of the figures, from histograms `{value: count}` as the summary tables hold
them. Pure: no I/O, so every number can be checked by hand.

Every interval is a 95 % interval. Medians get the distribution-free one (order statistics
chosen with the binomial distribution), so it holds whatever the shape of the waiting times;
shares get Wilson's, which stays inside [0, 1] and is sensible at 0 and n; means get the
normal approximation, good enough for scores of many raters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

Histogram = Mapping[int, int]

Z = 1.959963984540054  # the standard normal's 97.5 % quantile
# Above this many cases the binomial sums get slow and the normal approximation is exact
# to the rank.
EXACT_UP_TO = 2000


def cases(histogram: Histogram) -> int:
    return sum(count for count in histogram.values() if count > 0)


def _nth(histogram: Histogram, rank: int) -> int:
    """The value at 1-based `rank` in ascending order."""
    seen = 0
    for value in sorted(histogram):
        seen += max(histogram[value], 0)
        if seen >= rank:
            return value
    raise ValueError(f"rank {rank} beyond {seen} cases")


def percentile(histogram: Histogram, share: float) -> int | None:
    """The nearest-rank percentile: a value some case actually had."""
    n = cases(histogram)
    if n == 0:
        return None
    return _nth(histogram, max(1, math.ceil(round(share * n, 9))))


def median(histogram: Histogram) -> float | None:
    """The middle value; with an even number of cases, the mean of the two middle ones."""
    n = cases(histogram)
    if n == 0:
        return None
    return (_nth(histogram, (n + 1) // 2) + _nth(histogram, n // 2 + 1)) / 2


@lru_cache(maxsize=4096)
def median_ranks(n: int) -> tuple[int, int] | None:
    """The ranks (1-based) of the order statistics bounding the median with at least 95 %
    confidence: the largest l with P(B ≤ l − 1) ≤ 2.5 % for B ~ Binomial(n, ½), and n − l + 1.
    None below six cases, where even the smallest and largest value cover less than 95 %."""
    if n > EXACT_UP_TO:
        low = math.floor((n - Z * math.sqrt(n)) / 2)
        return low, n - low + 1
    total, below, term, low = 2**n, 0, 1, 0
    # term is C(n, k); below is the sum of C(n, j) for j < k, so P(B ≤ k − 1) = below / total.
    for k in range(n // 2 + 1):
        if 40 * (below + term) > total:
            break
        below += term
        term = term * (n - k) // (k + 1)
        low = k + 1
    return (low, n - low + 1) if low else None


def median_interval(histogram: Histogram) -> tuple[float, float] | None:
    ranks = median_ranks(cases(histogram))
    if ranks is None:
        return None
    return float(_nth(histogram, ranks[0])), float(_nth(histogram, ranks[1]))


def mean(histogram: Histogram) -> float | None:
    n = cases(histogram)
    if n == 0:
        return None
    return sum(value * count for value, count in histogram.items() if count > 0) / n


def mean_interval(
    histogram: Histogram, bounds: tuple[float, float] | None = None
) -> tuple[float, float] | None:
    """Mean ± z·s/√n with the sample standard deviation; None below two cases. `bounds`
    (e.g. the scores 1 and 5) clip the interval to values a mean can have."""
    n = cases(histogram)
    centre = mean(histogram)
    if centre is None or n < 2:
        return None
    squares = sum((value - centre) ** 2 * count for value, count in histogram.items() if count > 0)
    half = Z * math.sqrt(squares / (n - 1)) / math.sqrt(n)
    low, high = centre - half, centre + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return low, high


def share(successes: int, n: int) -> float | None:
    return successes / n if n > 0 else None


def wilson(successes: int, n: int) -> tuple[float, float] | None:
    """Wilson's score interval for a share of successes among n cases."""
    if n <= 0:
        return None
    p = successes / n
    z2 = Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 and n the bound is exactly 0 or 1; rounding would otherwise leave 0.9999….
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return low, high
