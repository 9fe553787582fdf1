"""What the metrics queries return: plain values the pages, the API and open data share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureValue:
    figure: str
    value: float | None  # None when n == 0
    n: int  # cases
    interval: tuple[float, float] | None
    comparable: bool  # n >= the minimum (counts: always)
    unit: str  # "working_days" | "days" | "hours" | "share" | "score" | "count"
    service_type: str | None = None
    p90: float | None = None
    distribution: dict[int, int] | None = None  # scores 1-5 → count, for means of scores
    per_1000: float | None = None  # counts, when the population is known


@dataclass(frozen=True)
class Dashboard:
    municipality: str  # slug
    name: str
    period: str  # the period's name as given, e.g. "2026-Q4"
    department: str | None
    figures: tuple[FigureValue, ...]  # every figure; service figures once per service type
    # figure → ((month, value, n), ...) for the last 12 months
    trends: dict[str, tuple[tuple[str, float | None, int], ...]]


@dataclass(frozen=True)
class ComparisonRow:
    municipality: str
    name: str
    value: float | None
    n: int
    interval: tuple[float, float] | None
    comparable: bool
    rank: int | None  # among the comparable rows; None for the others


@dataclass(frozen=True)
class Comparison:
    figure: str
    period: str
    service_type: str | None
    unit: str
    rows: tuple[ComparisonRow, ...]
