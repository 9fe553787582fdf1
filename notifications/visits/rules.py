"""The pure rules of service visits: periods, the frequency cap, and the figures."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from participation.errors import InvalidInput
from participation.messages import Message

SCORES = range(1, 6)
DEFAULT_CAP_DAYS = 14
CAP_DAYS_MAX = 365
# Signing, voting or commenting this long after the invitation counts as taking part.
TOOK_PART_WITHIN = timedelta(days=14)
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
CODE_MAX = 64
NAME_MAX = 120
TOPICS_MAX = 20
COMMENT_MAX = 2000

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
LAST_12_MONTHS = "last-12-months"


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) in UTC, from months in the municipality's time zone."""

    name: str
    start: datetime
    end: datetime


def _month_start(year: int, month: int, zone: ZoneInfo) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def parse_period(text: str, now: datetime, zone: ZoneInfo) -> Period:
    """`2026-11`, `2026-Q4`, `2026` or `last-12-months` (the current month and the 11
    before it). Raises InvalidInput on `period`."""
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        return Period(text, _month_start(year, month, zone), _month_start(year, month + 1, zone))
    if m := _QUARTER.match(text):
        year, first = int(m[1]), (int(m[2]) - 1) * 3 + 1
        return Period(text, _month_start(year, first, zone), _month_start(year, first + 3, zone))
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(text, _month_start(year, 1, zone), _month_start(year + 1, 1, zone))
    if text == LAST_12_MONTHS:
        local = now.astimezone(zone)
        return Period(
            text,
            _month_start(local.year, local.month - 11, zone),
            _month_start(local.year, local.month + 1, zone),
        )
    raise InvalidInput.on(
        "period",
        Message("Give a month (2026-11), a quarter (2026-Q4), a year (2026) or last-12-months."),
    )


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def capped(last_invited: datetime | None, now: datetime, cap_days: int) -> bool:
    """Whether an invitation now would come too soon after the last one."""
    return last_invited is not None and now - last_invited < timedelta(days=cap_days)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: a duration someone actually waited."""
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Satisfaction:
    n: int
    mean: float | None
    distribution: dict[str, int]


def satisfaction(scores: list[int]) -> Satisfaction:
    distribution = {str(s): scores.count(s) for s in SCORES}
    mean = round(statistics.fmean(scores), 2) if scores else None
    return Satisfaction(len(scores), mean, distribution)


@dataclass(frozen=True)
class Duration:
    n: int
    median_minutes: float | None
    p90_minutes: float | None


def duration(minutes: list[float]) -> Duration:
    if not minutes:
        return Duration(0, None, None)
    return Duration(
        len(minutes), round(statistics.median(minutes), 1), round(percentile(minutes, 0.9), 1)
    )
