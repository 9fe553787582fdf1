"""Distinct participants of every period, kept as cells a dashboard sums like any other.

A person counts once in a period however often she took part, so the participants of a
quarter, a year or the last twelve months are no sum of months, and counting distinct rows
of `metric_participant` at request time reads every row of the period. Instead a person's
set of months (the months she has a participant row in) yields these cells:

- `people_month`, 1 at each of her months;
- `people_quarter`, 1 at the first month of each quarter she took part in, and
  `people_year`, 1 at January of each such year;
- `people_window`, a running sum: +1 at the first month whose 12-month window (that month
  and the 11 before) holds one of her months, −1 at the first month whose window holds none
  again. The participants of the 12 months ending in m are the sum of counts up to m.

The projection recomputes these for the people whose months changed, by difference, and
the rebuild from the rows it writes; so both give the same cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from participation.metrics.contributions import Cell

WINDOW = 12
MONTH, QUARTER, YEAR, ROLLING = "people_month", "people_quarter", "people_year", "people_window"
MEASURES = (MONTH, QUARTER, YEAR, ROLLING)
# Measures whose cells are deltas of a running sum: a month's value is the sum up to it,
# so their cells hold negative counts too (active mandates, `facts.py`, and ROLLING).
RUNNING = ("active_delta", ROLLING)


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def cells_of(months: Iterable[str]) -> Counter[Cell]:
    """One person's cells, from the months she took part in."""
    found: Counter[Cell] = Counter()
    indices = sorted({_index(m) for m in months})
    for i in indices:
        found[(0, "", _month(i), MONTH, 0)] = 1
        found[(0, "", _month(i - i % 3), QUARTER, 0)] = 1
        found[(0, "", _month(i - i % 12), YEAR, 0)] = 1
    start = end = None
    for i in indices:
        if end is not None and i <= end + 1:
            end = i + WINDOW - 1
            continue
        if start is not None and end is not None:
            found[(0, "", _month(start), ROLLING, 0)] += 1
            found[(0, "", _month(end + 1), ROLLING, 0)] -= 1
        start, end = i, i + WINDOW - 1
    if start is not None and end is not None:
        found[(0, "", _month(start), ROLLING, 0)] += 1
        found[(0, "", _month(end + 1), ROLLING, 0)] -= 1
    return found


def change(before: Iterable[str], after: Iterable[str]) -> Counter[Cell]:
    """What the cells of a person whose months were `before` and are `after` gain."""
    delta = cells_of(after)
    delta.subtract(cells_of(before))
    return Counter({key: n for key, n in delta.items() if n})


def measure_for(months: tuple[str, ...]) -> str | None:
    """The people measure that counts the distinct participants of these consecutive
    months at their last one; None for a span that is none of the four kinds."""
    first, n = _index(months[0]), len(months)
    if n == 1:
        return MONTH
    if n == 3 and first % 3 == 0:
        return QUARTER
    if n == WINDOW and first % 12 == 0:
        return YEAR
    if n == WINDOW:
        return ROLLING
    return None
