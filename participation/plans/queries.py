"""Read side of action plans: a mandate's measures with their milestones, departments and costs."""

from __future__ import annotations

from typing import Any

from participation.deliberation.models import SubjectType
from participation.deliberation.threads import thread_ids
from participation.municipalities.models import Department
from participation.plans import rules
from participation.plans.models import Measure, MeasureMilestone
from participation.plans.progress import costs_of


async def views_of(measures: list[Measure]) -> list[dict[str, Any]]:
    """Public representations, loading related rows once for the whole list."""
    if not measures:
        return []
    ids = [m.id for m in measures]
    department_ids = {m.department_id for m in measures if m.department_id}
    departments = (
        {d.id: d for d in await Department.filter(id__in=department_ids)} if department_ids else {}
    )
    milestones: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for milestone in await MeasureMilestone.filter(measure_id__in=ids).order_by("date", "id"):
        milestones[milestone.measure_id].append(
            {
                "id": milestone.id,
                "title": milestone.title,
                "date": milestone.date,
                "description": milestone.description,
                "description_html": milestone.description_html,
                "reached_at": milestone.reached_at,
            }
        )
    costs = await costs_of(ids)
    threads = await thread_ids(SubjectType.MEASURE, ids)
    views = []
    for m in measures:
        department = departments.get(m.department_id) if m.department_id else None
        cost = costs.get(m.id)
        views.append(
            {
                "id": m.id,
                "mandate_id": m.mandate_id,
                "title": m.title,
                "description": m.description,
                "description_html": m.description_html,
                "department": {"id": department.id, "name": department.name}
                if department
                else None,
                "planned_start": m.planned_start,
                "planned_end": m.planned_end,
                "weight": m.weight,
                "status": m.status,
                "progress": m.progress,
                "reason": m.reason,
                "cost": {
                    "one_off_cents": cost.one_off_cents,
                    "per_year_cents": cost.per_year_cents,
                    "total_cents": cost.total_cents,
                    "currency": "EUR",
                    "cost_analysis_ids": list(cost.analysis_ids),
                }
                if cost
                else None,
                "allowed_transitions": sorted(s.value for s in rules.MOVES[m.status]),
                "milestones": milestones[m.id],
                "thread_id": threads.get(m.id),
                "created_at": m.created_at,
                "updated_at": m.updated_at,
            }
        )
    return views


async def measure_view(measure: Measure) -> dict[str, Any]:
    return (await views_of([measure]))[0]


async def list_measures(
    mandate_id: int, limit: int = 100, after: int | None = None
) -> tuple[list[dict[str, Any]], int | None]:
    """The mandate's measures in the order they were added, and the id to continue after."""
    query = Measure.filter(mandate_id=mandate_id)
    if after is not None:
        query = query.filter(id__gt=after)
    rows = await query.order_by("id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return await views_of(rows), rows[-1].id if more and rows else None


async def plan_of(mandate_id: int) -> list[dict[str, Any]]:
    """Every measure of the mandate, by planned start, as the mandate's page shows them."""
    rows = await Measure.filter(mandate_id=mandate_id).order_by("planned_start", "id")
    return await views_of(rows)
