"""Summary rows written directly, as the projection would, for figures worked out by hand."""

from __future__ import annotations

from participation.metrics.models import MetricCell, MetricParticipant
from participation.municipalities.models import Municipality


async def cells(
    municipality: Municipality,
    measure: str,
    month: str,
    histogram: dict[int, int],
    *,
    department_id: int = 0,
    service_type: str = "",
) -> None:
    await MetricCell.bulk_create(
        [
            MetricCell(
                municipality_id=municipality.id,
                department_id=department_id,
                service_type=service_type,
                month=month,
                measure=measure,
                value=value,
                count=count,
            )
            for value, count in histogram.items()
        ]
    )


async def participants(municipality: Municipality, month: str, *people: str) -> None:
    await MetricParticipant.bulk_create(
        [
            MetricParticipant(municipality_id=municipality.id, month=month, person=p, refs=1)
            for p in people
        ]
    )
