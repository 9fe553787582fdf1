"""Departments, measures through the plans area's commands, and published cost analyses.

Cost analyses are written as rows here: the costs area (another helper's) publishes them
through its own commands, which this branch does not have yet.
"""

from __future__ import annotations

import itertools
from datetime import date

from participation import clock
from participation.actors import Actor
from participation.costs.models import CostAnalysis, CostRevision, CostStatus
from participation.mandates.models import Mandate
from participation.municipalities.models import Department, Municipality
from participation.plans import commands
from participation.plans.models import Measure

_numbers = itertools.count(1)

START = date(2027, 3, 1)
END = date(2027, 9, 30)


async def department(municipality: Municipality, name: str | None = None) -> Department:
    return await Department.create(
        municipality_id=municipality.id, name=name or f"Fachbereich {next(_numbers)}"
    )


async def measure(
    council: Actor,
    mandate: Mandate,
    *,
    title: str | None = None,
    weight: int | None = None,
    planned_start: date = START,
    planned_end: date = END,
    **options: object,
) -> Measure:
    return await commands.create_measure(
        council,
        mandate.id,
        title=title or f"Maßnahme {next(_numbers)}",
        description=str(options.pop("description", "")),
        planned_start=planned_start,
        planned_end=planned_end,
        weight=weight,
        **options,  # type: ignore[arg-type]
    )


async def cost_analysis(
    mandate: Mandate,
    *,
    one_off_cents: int = 0,
    per_year_cents: int = 0,
    published: bool = True,
    measure: Measure | None = None,
) -> CostAnalysis:
    """An analysis with one revision, published unless told otherwise."""
    analysis = await CostAnalysis.create(
        mandate_id=mandate.id,
        measure_id=measure.id if measure else None,
        status=CostStatus.PUBLISHED if published else CostStatus.DRAFT,
        revision=1,
        published_revision=1 if published else None,
    )
    await CostRevision.create(
        analysis_id=analysis.id,
        number=1,
        title="Kosten",
        one_off_cents=one_off_cents,
        per_year_cents=per_year_cents,
        published_at=clock.now() if published else None,
    )
    return analysis


async def revise_costs(
    analysis: CostAnalysis, *, one_off_cents: int, per_year_cents: int, publish: bool
) -> None:
    """A new revision of the analysis, as its next save (and publication) would write it."""
    number = analysis.revision + 1
    await CostRevision.create(
        analysis_id=analysis.id,
        number=number,
        title="Kosten",
        one_off_cents=one_off_cents,
        per_year_cents=per_year_cents,
        published_at=clock.now() if publish else None,
    )
    analysis.revision = number
    if publish:
        analysis.published_revision = number
        analysis.status = CostStatus.PUBLISHED
    await analysis.save()
