"""The plans consumer: publishing a cost analysis recomputes its mandate's progress.

The costs area records `costs:analysis:published`; here the events are built by hand and
the analyses written as rows, as that area would leave them.
"""

from __future__ import annotations

from datetime import date

import pytest

from participation.actors import Actor
from participation.mandates.live import LIVE
from participation.mandates.models import Mandate, Status
from participation.outbox.consumers import Runner
from participation.outbox.envelope import Event
from participation.plans import commands
from participation.plans.area import AREA
from participation.plans.consumers import PLANS, recompute_after_costs
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import plans
from tests.participation.mandates.test_live import RecordingBus

pytestmark = pytest.mark.usefixtures("database")


def _published(mandate: Mandate, analysis_id: int, measure_id: int | None, revision: int) -> Event:
    return Event(
        name="costs:analysis:published",
        subject_type="cost_analysis",
        subject_id=analysis_id,
        municipality_id=mandate.municipality_id,
        actor_id=None,
        payload={
            "mandate_id": mandate.id,
            "measure_id": measure_id,
            "revision": revision,
            "one_off_cents": 0,
            "per_year_cents": 0,
        },
    )


async def _two_measures() -> tuple[Actor, Mandate, list[int]]:
    town = await factories.municipality()
    council = await factories.council_member(town)
    mandate = await factories.mandate(await factories.person(), town, Status.IN_PROGRESS)
    done = await plans.measure(council, mandate, title="Spielplatz", planned_start=date(2027, 3, 1))
    later = await plans.measure(council, mandate, title="Bänke")
    await commands.update_measure(council, done.id, status="in_progress")
    await commands.update_measure(council, done.id, status="done")
    return council, mandate, [done.id, later.id]


def test_the_consumer_is_declared_for_the_costs_event() -> None:
    assert PLANS in AREA.consumers
    assert PLANS.matches("costs:analysis:published")
    assert not PLANS.matches("costs:analysis:created")


async def test_publishing_costs_for_every_measure_weighs_the_progress_by_cost() -> None:
    _, mandate, (done, later) = await _two_measures()
    assert (await Mandate.get(id=mandate.id)).progress == 50
    # The costs area links analyses to measures and publishes them.
    big = await plans.cost_analysis(mandate, one_off_cents=300_000, published=True)
    small = await plans.cost_analysis(mandate, one_off_cents=50_000, per_year_cents=50_000)
    big.measure_id, small.measure_id = done, later
    await big.save()
    await small.save()
    await recompute_after_costs(
        [_published(mandate, big.id, done, 1), _published(mandate, small.id, later, 1)], {}
    )
    assert (await Mandate.get(id=mandate.id)).progress == 75
    entry = (
        await TimelineEntry.filter(mandate_id=mandate.id, kind="progress").order_by("-id").first()
    )
    assert entry is not None
    assert (entry.data["previous"], entry.data["progress"]) == (50, 75)
    assert entry.data["weighting"] == "costs" and entry.actor_id is None


async def test_a_new_published_revision_replaces_the_old_cost_and_delivery_twice_is_harmless() -> (
    None
):
    _, mandate, (done, later) = await _two_measures()
    first = await plans.cost_analysis(mandate, one_off_cents=100_000)
    second = await plans.cost_analysis(mandate, one_off_cents=100_000)
    first.measure_id, second.measure_id = done, later
    await first.save()
    await second.save()
    await recompute_after_costs([_published(mandate, first.id, done, 1)], {})
    assert (await Mandate.get(id=mandate.id)).progress == 50
    # The second measure turns out dearer: 100,000 of 400,000 done.
    await plans.revise_costs(second, one_off_cents=200_000, per_year_cents=100_000, publish=True)
    event = _published(mandate, second.id, later, 2)
    await recompute_after_costs([event], {})
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="progress").count()
    await recompute_after_costs([event], {})
    assert (await Mandate.get(id=mandate.id)).progress == 25
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="progress").count() == entries


async def test_a_draft_revision_after_a_published_one_changes_nothing() -> None:
    _, mandate, (done, later) = await _two_measures()
    first = await plans.cost_analysis(mandate, one_off_cents=100_000, measure=None)
    second = await plans.cost_analysis(mandate, one_off_cents=300_000)
    first.measure_id, second.measure_id = done, later
    await first.save()
    await second.save()
    await plans.revise_costs(second, one_off_cents=1, per_year_cents=0, publish=False)
    await recompute_after_costs([_published(mandate, second.id, later, 1)], {})
    assert (await Mandate.get(id=mandate.id)).progress == 25


async def test_events_of_unknown_mandates_are_skipped() -> None:
    _, mandate, _ = await _two_measures()
    gone = _published(mandate, 1, None, 1)
    gone.payload["mandate_id"] = 999_999
    await recompute_after_costs([gone], {})
    assert (await Mandate.get(id=mandate.id)).progress == 50


async def test_plan_changes_reach_the_live_bus_as_timeline_signals() -> None:
    council, mandate, (done, _) = await _two_measures()
    bus = RecordingBus()
    await Runner(LIVE, {"bus": bus}).run_once()
    bus.messages.clear()
    await commands.add_milestone(council, done, title="Eröffnung", day=date(2099, 1, 1))
    await Runner(LIVE, {"bus": bus}).run_once()
    assert any(m["type"] == "timeline" and m["mandate_id"] == mandate.id for m in bus.messages)
