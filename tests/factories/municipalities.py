"""Municipalities with districts. Operators create tenants; there is no user command for it."""

from __future__ import annotations

import itertools

from participation.municipalities.models import District, Municipality

_numbers = itertools.count(1)

DISTRICTS = (("mitte", "Mitte"), ("nord", "Nord"), ("sued", "Süd"))


async def municipality(
    slug: str | None = None,
    *,
    name: str | None = None,
    quorum: int = 4,
    signature_period_days: int = 30,
    service_promise_days: int = 5,
    districts: tuple[tuple[str, str], ...] = DISTRICTS,
) -> Municipality:
    n = next(_numbers)
    row = await Municipality.create(
        slug=slug or f"gemeinde-{n}",
        name=name or f"Gemeinde {n}",
        default_quorum=quorum,
        signature_period_days=signature_period_days,
        service_promise_days=service_promise_days,
    )
    await District.bulk_create(
        [District(municipality_id=row.id, slug=s, name=label) for s, label in districts]
    )
    return row
