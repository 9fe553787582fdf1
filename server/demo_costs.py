"""Demo cost analysis for `auftrag serve --demo`: published, then revised and republished,
so the mandate page shows the table, and the analysis page two revisions to compare."""

from __future__ import annotations

from participation.actors import Actor
from participation.costs import commands
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality

ITEMS = [
    {
        "description": "Energieberatung und Sanierungsfahrplan",
        "category": "services",
        "kind": "one_off",
        "amount_cents": 4_800_000,
        "funding_source": "Bundesförderung effiziente Gebäude (BEG)",
    },
    {
        "description": "Messtechnik für 40 Gebäude",
        "category": "material",
        "kind": "one_off",
        "amount_cents": 2_200_000,
        "funding_source": "Haushalt 2027",
    },
    {
        "description": "Energiemanagerin (halbe Stelle)",
        "category": "personnel",
        "kind": "per_year",
        "amount_cents": 3_600_000,
        "funding_source": "Haushalt, Klimaschutz",
    },
]
ASSUMPTIONS = (
    "Preise von **2026**, brutto. Die Förderquote der BEG ist mit 50 % angesetzt; "
    "Sanierungen selbst sind nicht enthalten, sie folgen aus dem Fahrplan."
)


async def seed_costs(council: Actor | None) -> None:
    """On the first demo mandate the council is working on."""
    mandate = await Mandate.filter(status=Status.IN_PROGRESS).order_by("id").first()
    if mandate is None or council is None:
        return
    # As the administration would set it, so that the figure per resident shows.
    await Municipality.filter(id=mandate.municipality_id, population=None).update(population=48_000)
    analysis = await commands.create_cost_analysis(
        council,
        mandate.id,
        title="Kosten des Sanierungsfahrplans",
        items=ITEMS,
        assumptions=ASSUMPTIONS,
    )
    await commands.publish_cost_analysis(council, analysis.id)
    revised = [*ITEMS[:1], dict(ITEMS[1], amount_cents=2_650_000), *ITEMS[2:]]
    await commands.revise_cost_analysis(
        council,
        analysis.id,
        title="Kosten des Sanierungsfahrplans",
        items=revised,
        assumptions=ASSUMPTIONS + "\n\nMesstechnik nach Angebot vom März aktualisiert.",
    )
    await commands.publish_cost_analysis(council, analysis.id)
