"""The milestone clock job: each milestone reaches the timeline once, on its local day."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from participation.actors import Actor
from participation.mandates.models import Mandate, Status
from participation.plans import commands, milestones
from participation.plans.models import MeasureMilestone
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import plans, time_travel

pytestmark = pytest.mark.usefixtures("database")

# 22:59 UTC on 14 April is 00:59 on the 15th in Berlin (summer time).
BEFORE_MIDNIGHT_UTC = datetime(2027, 4, 14, 22, 59, tzinfo=UTC)
EARLY_ON_THE_14TH = datetime(2027, 4, 14, 6, 0, tzinfo=UTC)


async def _plan() -> tuple[Actor, Mandate, int]:
    town = await factories.municipality()
    council = await factories.council_member(town)
    mandate = await factories.mandate(await factories.person(), town, Status.IN_PROGRESS)
    measure = await plans.measure(council, mandate, planned_start=date(2027, 3, 1))
    return council, mandate, measure.id


async def _reached(mandate_id: int) -> list[str]:
    rows = await TimelineEntry.filter(mandate_id=mandate_id, kind="measure_milestone").order_by(
        "id"
    )
    return [row.data["title"] for row in rows]


async def test_a_milestone_goes_on_the_timeline_on_its_day_and_only_once() -> None:
    council, mandate, measure_id = await _plan()
    with time_travel(EARLY_ON_THE_14TH):
        await commands.add_milestone(council, measure_id, title="Baubeginn", day=date(2027, 4, 15))
        assert await milestones.reach_milestones() == 0
    with time_travel(BEFORE_MIDNIGHT_UTC):
        # Already the 15th in Berlin, though still the 14th in UTC.
        assert await milestones.reach_milestones() == 1
        assert await milestones.reach_milestones() == 0
    assert await _reached(mandate.id) == ["Baubeginn"]
    stored = await MeasureMilestone.get(title="Baubeginn")
    assert stored.reached_at == BEFORE_MIDNIGHT_UTC


async def test_the_municipalitys_own_time_zone_decides_when_it_has_one() -> None:
    council, mandate, measure_id = await _plan()
    town = await mandate.municipality
    with time_travel(EARLY_ON_THE_14TH):
        await commands.add_milestone(council, measure_id, title="Baubeginn", day=date(2027, 4, 15))
    # The promise helper adds Municipality.time_zone; until then the attribute is read if set.
    town.time_zone = "America/New_York"  # type: ignore[attr-defined]
    assert milestones.local_today(town, BEFORE_MIDNIGHT_UTC) == date(2027, 4, 14)
    town.time_zone = "Nowhere/Atlantis"  # type: ignore[attr-defined]
    assert milestones.local_today(town, BEFORE_MIDNIGHT_UTC) == date(2027, 4, 15)


async def test_milestones_of_dropped_measures_and_closed_mandates_are_not_announced() -> None:
    council, mandate, measure_id = await _plan()
    with time_travel(EARLY_ON_THE_14TH):
        await commands.add_milestone(council, measure_id, title="Baubeginn", day=date(2027, 4, 20))
        await commands.update_measure(council, measure_id, status="dropped", reason="Kein Geld.")
    with time_travel(datetime(2027, 5, 1, tzinfo=UTC)):
        assert await milestones.reach_milestones() == 0
    assert await _reached(mandate.id) == []


async def test_runs_at_the_same_time_announce_each_milestone_once() -> None:
    council, mandate, measure_id = await _plan()
    with time_travel(EARLY_ON_THE_14TH):
        for n in range(5):
            await commands.add_milestone(
                council, measure_id, title=f"Schritt {n}", day=date(2027, 4, 20)
            )
    with time_travel(datetime(2027, 4, 21, 8, 0, tzinfo=UTC)):
        counts = await asyncio.gather(*(milestones.reach_milestones() for _ in range(4)))
    assert sum(counts) == 5
    assert sorted(await _reached(mandate.id)) == [f"Schritt {n}" for n in range(5)]


@pytest.mark.postgres
@pytest.mark.timeout(60)
async def test_concurrent_runs_on_postgresql_announce_each_milestone_once() -> None:
    """Real parallel transactions: the conditional update lets exactly one claim each."""
    council, mandate, measure_id = await _plan()
    with time_travel(EARLY_ON_THE_14TH):
        for n in range(20):
            await commands.add_milestone(
                council, measure_id, title=f"Schritt {n}", day=date(2027, 4, 20)
            )
    with time_travel(datetime(2027, 4, 21, 8, 0, tzinfo=UTC)):
        counts = await asyncio.gather(*(milestones.reach_milestones() for _ in range(8)))
    assert sum(counts) == 20
    titles = await _reached(mandate.id)
    assert len(titles) == 20 and len(set(titles)) == 20
