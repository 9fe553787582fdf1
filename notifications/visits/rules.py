"""The pure rules of service visits: the frequency cap and the figures."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

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
