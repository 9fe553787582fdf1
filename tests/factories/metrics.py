"""The metrics projection run as the worker runs it, and the summary tables read back."""

from __future__ import annotations

from participation.metrics.models import MetricCell, MetricParticipant
from participation.metrics.projection import METRICS
from participation.outbox.consumers import Runner

# (municipality_id, department_id, service_type, month, measure, value) → count
Cells = dict[tuple[int, int, str, str, str, int], int]


async def project() -> int:
    """Deliver every pending event to the `metrics` consumer; returns how many."""
    runner = Runner(METRICS)
    delivered = 0
    while handed := await runner.run_once():
        delivered += handed
    return delivered


async def cells(measure: str | None = None) -> Cells:
    rows = MetricCell.all() if measure is None else MetricCell.filter(measure=measure)
    return {
        (c.municipality_id, c.department_id, c.service_type, c.month, c.measure, c.value): c.count
        for c in await rows
    }


async def measure(
    name: str, department_id: int = 0, service_type: str = ""
) -> dict[tuple[str, int], int]:
    """One measure's histogram: (month, value) → count."""
    return {
        (c.month, c.value): c.count
        for c in await MetricCell.filter(
            measure=name, department_id=department_id, service_type=service_type
        )
    }


async def participants() -> dict[tuple[int, str], int]:
    """(municipality_id, month) → distinct people."""
    found: dict[tuple[int, str], int] = {}
    for row in await MetricParticipant.all():
        key = (row.municipality_id, row.month)
        found[key] = found.get(key, 0) + 1
    return found


async def people() -> dict[tuple[int, str, str], int]:
    return {(r.municipality_id, r.month, r.person): r.refs for r in await MetricParticipant.all()}
