"""The mandate's progress, derived from its measures and written in the unit that changed them.

Every change to a plan first locks the mandate's row, so two changes to one plan are
applied one after the other and each recomputes from what the other committed: the
stored figure is never computed from a stale view of the measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.costs.models import CostAnalysis, CostRevision
from participation.mandates.models import Mandate
from participation.plans import rules
from participation.plans.models import Measure
from participation.timeline import entries as timeline
from participation.unit import Unit


@dataclass(frozen=True)
class Cost:
    """What the published cost analyses linked to a measure add up to."""

    one_off_cents: int
    per_year_cents: int
    analysis_ids: tuple[int, ...]

    @property
    def total_cents(self) -> int:
        """One-off plus one year: the cost a measure weighs with."""
        return self.one_off_cents + self.per_year_cents


async def costs_of(
    measure_ids: list[int], conn: BaseDBAsyncClient | None = None
) -> dict[int, Cost]:
    """Measure id → its cost, from the latest published revision of each linked analysis;
    measures without a published linked analysis are missing."""
    if not measure_ids:
        return {}
    analyses = (
        await CostAnalysis.filter(measure_id__in=measure_ids, published_revision__isnull=False)
        .using_db(conn)
        .order_by("id")
        .values_list("id", "measure_id", "published_revision")
    )
    if not analyses:
        return {}
    published = {(a, n): m for a, m, n in analyses}
    sums: dict[int, list[Any]] = {}
    for analysis_id, number, one_off, per_year in (
        await CostRevision.filter(analysis_id__in=[a for a, _, _ in analyses])
        .using_db(conn)
        .values_list("analysis_id", "number", "one_off_cents", "per_year_cents")
    ):
        measure_id = published.get((analysis_id, number))
        if measure_id is None:
            continue
        total = sums.setdefault(measure_id, [0, 0, []])
        total[0] += one_off
        total[1] += per_year
        total[2].append(analysis_id)
    return {m: Cost(o, p, tuple(sorted(ids))) for m, (o, p, ids) in sums.items()}


async def lock_mandate(u: Unit, mandate_id: int) -> Mandate:
    """The mandate, its row locked until the unit ends (PostgreSQL; SQLite writes one at a
    time anyway)."""
    return await Mandate.filter(id=mandate_id).select_for_update().using_db(u.conn).get()


async def derive(
    mandate_id: int, conn: BaseDBAsyncClient | None = None
) -> tuple[int | None, str | None]:
    """The progress the mandate's measures give now, and the weighting used."""
    measures = await Measure.filter(mandate_id=mandate_id).using_db(conn)
    costs = await costs_of([m.id for m in measures], conn)
    counted = [
        rules.Counted(
            status=m.status,
            progress=m.progress,
            weight=m.weight,
            cost_cents=costs[m.id].total_cents if m.id in costs else None,
        )
        for m in measures
    ]
    return rules.derived_progress(counted), rules.weighting(counted)


async def recompute(
    u: Unit,
    mandate: Mandate,
    *,
    actor_id: int | None,
    cause: dict[str, Any] | None = None,
) -> int | None:
    """Store the mandate's derived progress; if it changed, put that on its timeline.

    `mandate` was read under lock_mandate in this unit. `cause` (the measure that moved
    it, as id and title) goes into the entry. Returns the progress now.
    """
    progress, basis = await derive(mandate.id, u.conn)
    if progress == mandate.progress:
        return progress
    previous = mandate.progress
    await Mandate.filter(id=mandate.id).using_db(u.conn).update(progress=progress)
    mandate.progress = progress
    await timeline.record(
        u,
        mandate.id,
        "progress",
        "plans:progress:changed",
        {"progress": progress, "previous": previous, "weighting": basis, **(cause or {})},
        municipality_id=mandate.municipality_id,
        actor_id=actor_id,
    )
    return progress
