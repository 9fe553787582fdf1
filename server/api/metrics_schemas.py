"""Request and response models of the public figures and their comparison."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from notifications.visits import rules as visit_rules
from participation import periods
from participation.metrics.figures import FIGURES

PERIOD = "2026-11, 2026-Q4, 2026 or last-12-months (municipal months); not in the future"
UNITS = "working_days, days, hours, share (0 to 1), score (1 to 5) or count"


# The periods' forms, with the years parse_period takes (1900 to 2999).
PERIOD_PATTERN = r"^(last-12-months|(19|2[0-9])[0-9]{2}(-(0[1-9]|1[0-2])|-Q[1-4])?)$"
FigureId = StrEnum("FigureId", {figure: figure for figure in FIGURES})  # type: ignore[misc]


class MetricsQuery(BaseModel):
    period: str = Field(default=periods.LAST_12_MONTHS, pattern=PERIOD_PATTERN, description=PERIOD)
    department: str | None = Field(
        default=None,
        pattern=r"^[0-9]{0,9}$",
        description="a department's id: only the figures given per department, for it; "
        "empty: the whole municipality",
    )


class CompareQuery(BaseModel):
    figure: FigureId
    period: str = Field(default=periods.LAST_12_MONTHS, pattern=PERIOD_PATTERN, description=PERIOD)
    service_type: str | None = Field(
        default=None,
        max_length=64,
        pattern=visit_rules.CODE.pattern,
        description="a service type's code, for the figures per service type; "
        "left out: all services together",
    )


Interval = tuple[float, float] | None
INTERVAL = "95 % interval [low, high]; null for counts and too few cases"


class FigureOut(BaseModel):
    figure: str
    value: float | None = Field(description="null without cases")
    n: int = Field(description="how many cases the figure rests on")
    interval: Interval = Field(description=INTERVAL)
    comparable: bool = Field(description="enough cases (METRICS_MIN_CASES) to compare or rank")
    unit: str = Field(description=UNITS)
    service_type: str | None = Field(description="null: not per service type, or all services")
    p90: float | None = Field(description="90th percentile, for medians")
    distribution: dict[str, int] | None = Field(description="score 1 to 5 → how many gave it")
    per_1000: float | None = Field(description="counts per 1,000 inhabitants, if known")
    definition_url: str


class TrendPointOut(BaseModel):
    month: str = Field(description="YYYY-MM in the municipality's time zone")
    value: float | None
    n: int


class MetricsOut(BaseModel):
    municipality: str
    name: str
    period: str
    department: str | None = Field(description="the department's name, if one was asked for")
    figures: list[FigureOut]
    trends: dict[str, list[TrendPointOut]] = Field(
        description="figure → its last 12 months up to the period's end (all services together)"
    )


class ComparisonRowOut(BaseModel):
    municipality: str
    name: str
    value: float | None
    n: int
    interval: Interval = Field(description=INTERVAL)
    comparable: bool
    rank: int | None = Field(
        description="1 is best, among comparable rows; null for the others and for figures "
        "that are no quality (counts, accepted and rejected shares)"
    )


class ComparisonOut(BaseModel):
    figure: str
    period: str
    service_type: str | None
    unit: str
    definition_url: str
    rows: list[ComparisonRowOut]
