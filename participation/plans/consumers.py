"""The plans consumer: a cost published for a measure can change how the measures weigh.

When every counted measure of a plan has a published cost (and not every one a weight),
the mandate's progress is weighted by cost, so each publication of a cost analysis
recomputes the progress of its mandate. Recomputing is idempotent: an event delivered
twice finds the figure already stored and writes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from participation import unit
from participation.mandates.models import Mandate
from participation.outbox.consumers import Consumer
from participation.outbox.envelope import Event
from participation.plans import progress


def _mandate_of(event: Event) -> int | None:
    mandate_id = event.payload.get("mandate_id")
    if isinstance(mandate_id, int):
        return mandate_id
    return event.subject_id if event.subject_type == "mandate" else None


async def recompute_after_costs(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    """Recompute the progress of each mandate a published cost analysis belongs to."""
    for mandate_id in sorted({m for m in map(_mandate_of, batch) if m is not None}):
        if not await Mandate.exists(id=mandate_id):
            continue
        async with unit.atomic() as u:
            mandate = await progress.lock_mandate(u, mandate_id)
            await progress.recompute(u, mandate, actor_id=None, cause={"costs": True})


PLANS = Consumer("plans", {"costs:analysis:published": recompute_after_costs})
