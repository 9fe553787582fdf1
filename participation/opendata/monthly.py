"""The `figures` data set: every public figure of a municipality per month, for the last
24 months, from the metrics queries (never from the records themselves)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from participation import clock
from participation.errors import InvalidInput
from participation.metrics import queries
from participation.municipalities.models import Municipality
from participation.opendata.rows import Batches

MONTHS = 24


def last_months(now: datetime, time_zone: str, count: int = MONTHS) -> list[str]:
    """The `count` months up to the current one in `time_zone`, oldest first, as YYYY-MM."""
    local = now.astimezone(ZoneInfo(time_zone))
    index = local.year * 12 + local.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


async def figures(municipality: Municipality, base: str, size: int) -> Batches:
    """One batch per month: a month's figures are few, whatever the batch size."""
    for month in last_months(clock.now(), municipality.time_zone):
        try:
            dashboard = await queries.dashboard(municipality.slug, month)
        except InvalidInput:
            # A month the metrics do not cover (before the deployment's first): no row.
            continue
        yield [
            {
                "month": month,
                "figure": f.figure,
                "service_type": f.service_type or "",
                "value": f.value,
                "unit": f.unit,
                "n": f.n,
                "interval_low": f.interval[0] if f.interval else None,
                "interval_high": f.interval[1] if f.interval else None,
                "p90": f.p90,
                "per_1000": f.per_1000,
                "comparable": f.comparable,
            }
            for f in dashboard.figures
        ]
