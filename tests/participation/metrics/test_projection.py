"""The `metrics` consumer keeps the summary tables as a rebuild computes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from participation.mandates.models import Status
from participation.metrics.rebuild import rebuild
from tests import factories
from tests.factories import metrics, time_travel

pytestmark = pytest.mark.usefixtures("database")

NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


async def test_a_completed_mandate_counts_as_the_rebuild_counts_it() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        await factories.mandate(initiator, town, Status.COMPLETED)
    await metrics.project()
    incremental = await metrics.cells()
    people = await metrics.people()
    assert incremental
    await rebuild()
    assert await metrics.cells() == incremental
    assert await metrics.people() == people
