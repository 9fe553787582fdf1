"""Cost analyses and action plans: news for the mandate's people."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.facts import entry_data, mandate_facts
from notifications.catalogue.mandates import connected
from notifications.kinds import Category, Kind
from participation.outbox.envelope import Event
from participation.plans.models import Measure


async def _measure_title(measure_id: object) -> str | None:
    if not isinstance(measure_id, int):
        return None
    titles = await Measure.filter(id=measure_id).values_list("title", flat=True)
    return str(titles[0]) if titles else None


async def analysis_data(event: Event) -> dict[str, Any]:
    title = await _measure_title(event.payload.get("measure_id"))
    return await mandate_facts(event, event.subject_id, measure_title=title)


async def measure_data(event: Event) -> dict[str, Any]:
    """The measure's title as the entry shows it: a milestone's entry names it apart."""
    data = entry_data(event)
    title = data.get("measure_title") or data.get("title")
    return await mandate_facts(
        event, event.subject_id, measure_title=title, change=data.get("change")
    )


KINDS = (
    Kind("costs:analysis:published", Category.COUNCIL_WORK, connected, analysis_data),
    Kind("plans:measure:created", Category.COUNCIL_WORK, connected, measure_data),
    Kind("plans:measure:updated", Category.COUNCIL_WORK, connected, measure_data),
    Kind("plans:milestone:reached", Category.COUNCIL_WORK, connected, measure_data),
)
