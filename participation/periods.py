"""Periods of the figures: a month (`2026-11`), a quarter (`2026-Q4`), a year (`2026`) or
`last-12-months`, all made of municipal months (`YYYY-MM` in the municipality's time zone).

The summary tables are keyed by month, so a period is first of all its months; its start and
end in UTC are for those who count from records (the funnel of service visits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from participation.errors import InvalidInput
from participation.messages import Message

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_YEAR = re.compile(r"([0-9]{4})")
LAST_12_MONTHS = "last-12-months"
# Years a period may name: a municipal record is younger than 1900, and beyond 2999 the
# dates around a period (its end, a zone's offset) would leave what datetime can hold.
YEARS = range(1900, 3000)


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) in UTC, from months in the municipality's time zone."""

    name: str
    start: datetime
    end: datetime
    months: tuple[str, ...]


def _month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def month_name(year: int, month: int) -> str:
    """`YYYY-MM` of a month counted on from (year, month), e.g. (2026, 13) → `2027-01`."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def _span(name: str, year: int, first: int, count: int, zone: ZoneInfo) -> Period:
    return Period(
        name,
        _month_start(year, first, zone),
        _month_start(year, first + count, zone),
        tuple(month_name(year, first + i) for i in range(count)),
    )


def _refused() -> InvalidInput:
    return InvalidInput.on(
        "period",
        Message("Give a month (2026-11), a quarter (2026-Q4), a year (2026) or last-12-months."),
    )


def parse_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """`2026-11`, `2026-Q4`, `2026` or `last-12-months` (the current month and the 11
    before it). Raises InvalidInput on `period`."""
    for pattern in (_MONTH, _QUARTER, _YEAR):
        if (m := pattern.fullmatch(text)) and int(m[1]) not in YEARS:
            raise InvalidInput.on(
                "period",
                Message("Give a year from %(first)s to %(last)s.", first=YEARS[0], last=YEARS[-1]),
            )
    if m := _MONTH.fullmatch(text):
        return _span(text, int(m[1]), int(m[2]), 1, zone)
    if m := _QUARTER.fullmatch(text):
        return _span(text, int(m[1]), (int(m[2]) - 1) * 3 + 1, 3, zone)
    if m := _YEAR.fullmatch(text):
        return _span(text, int(m[1]), 1, 12, zone)
    if text == LAST_12_MONTHS:
        local = now.astimezone(zone)
        return _span(text, local.year, local.month - 11, 12, zone)
    raise _refused()


def past_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """A period that has begun: one starting after the current month has no figures yet,
    and saying so is clearer than an empty dashboard. Raises InvalidInput on `period`."""
    period = parse_period(text, now, zone)
    if period.months[0] > month_of(now, zone):
        raise InvalidInput.on("period", Message("This period is in the future."))
    return period


def previous(period: Period, zone: ZoneInfo) -> Period:
    """The comparable period just before: the month, quarter or year before, or the twelve
    months before the last twelve (named as an interval, `2024-12/2025-11`: it has no name
    of its own)."""
    year, month = int(period.months[0][:4]), int(period.months[0][5:7])
    count = len(period.months)
    if _QUARTER.match(period.name):
        name = f"{year + (month - 4) // 12}-Q{(month - 4) % 12 // 3 + 1}"
    elif period.name == LAST_12_MONTHS:
        name = f"{month_name(year, month - count)}/{month_name(year, month - 1)}"
    elif count == 12:
        name = str(year - 1)
    else:
        name = month_name(year, month - 1)
    return _span(name, year, month - count, count, zone)


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def months_until(last: str, count: int) -> tuple[str, ...]:
    """The `count` months ending with `last` (`YYYY-MM`), oldest first: a trend's axis."""
    year, month = int(last[:4]), int(last[5:7])
    return tuple(month_name(year, month - count + 1 + i) for i in range(count))
