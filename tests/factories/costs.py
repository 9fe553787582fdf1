"""Cost analyses, through the commands the council runs; measures as the plans area stores them."""

from __future__ import annotations

from datetime import date
from typing import Any

from participation.actors import Actor
from participation.costs import commands
from participation.costs.models import CostAnalysis
from participation.mandates.models import Mandate
from participation.plans.models import Measure

ITEMS: list[dict[str, Any]] = [
    {
        "description": "Planung durch ein Ingenieurbüro",
        "category": "services",
        "kind": "one_off",
        "amount_cents": 1_200_000,
        "funding_source": "Haushalt 2027",
    },
    {
        "description": "Bau des Radwegs",
        "category": "construction",
        "kind": "one_off",
        "amount_cents": 8_800_000,
        "funding_source": "Landesförderung",
    },
    {
        "description": "Winterdienst und Reinigung",
        "category": "operation",
        "kind": "per_year",
        "amount_cents": 450_000,
        "funding_source": "Bauhof",
    },
]


async def cost_analysis(
    council: Actor,
    mandate: Mandate,
    *,
    title: str = "Kosten des Radwegs",
    items: list[dict[str, Any]] | None = None,
    assumptions: str = "Preise von **2026**, ohne Grunderwerb.",
    measure_id: int | None = None,
    publish: bool = False,
) -> CostAnalysis:
    analysis = await commands.create_cost_analysis(
        council,
        mandate.id,
        title=title,
        items=ITEMS if items is None else items,
        assumptions=assumptions,
        measure_id=measure_id,
    )
    if publish:
        analysis = await commands.publish_cost_analysis(council, analysis.id)
    return analysis


async def measure(mandate: Mandate, title: str = "Radweg bauen") -> Measure:
    """A measure of the mandate's action plan, as a row (the plans area owns its commands)."""
    return await Measure.create(
        mandate_id=mandate.id,
        title=title,
        planned_start=date(2027, 3, 1),
        planned_end=date(2027, 10, 31),
    )
