"""The demo's timelines tell of weeks, in order, in office hours, and the records agree."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from participation import clock
from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate, Signature
from participation.timeline.models import TimelineEntry
from participation.votes.models import Vote
from server import demo, demo_history

pytestmark = pytest.mark.usefixtures("database")


async def test_the_demo_timelines_span_weeks_in_order_and_in_office_hours() -> None:
    assert await demo.seed(towns=False)
    now = clock.now()
    spans = {}
    for mandate in await Mandate.all():
        entries = await TimelineEntry.filter(mandate_id=mandate.id).order_by("id")
        times = [e.created_at for e in entries]
        assert times == sorted(times) and len(set(times)) == len(times), mandate.title
        assert all(t < now for t in times)
        assert all(t.weekday() < 5 and 7 <= t.hour < 16 for t in times), mandate.title
        spans[mandate.title] = times[-1] - times[0]
    assert spans[demo.FOUNTAINS] > timedelta(weeks=8)
    assert spans[demo.CAR_PARK] > timedelta(weeks=3)
    assert sum(span > timedelta(weeks=2) for span in spans.values()) >= 5
    assert not await demo.seed(towns=False)


async def test_the_records_behind_the_timeline_agree_with_it() -> None:
    await demo.seed(towns=False)
    fountains = await Mandate.get(title=demo.FOUNTAINS)
    entries = await TimelineEntry.filter(mandate_id=fountains.id).order_by("id")
    moved = {e.data["to"]: e.created_at for e in entries if e.kind == "status"}
    assert fountains.created_at == entries[0].created_at
    assert fountains.published_at == moved["collecting"]
    assert fountains.closes_at == moved["collecting"] + timedelta(days=60)
    assert fountains.submitted_at == moved["submitted"]
    answer = next(e for e in entries if e.kind == "response")
    assert fountains.first_answer_at == answer.created_at
    assert (await OfficialResponse.get(mandate_id=fountains.id)).created_at == answer.created_at
    # Answered within the service promise, then decided.
    assert fountains.answer_due_at is not None and answer.created_at <= fountains.answer_due_at
    assert fountains.promise_kept is True
    assert moved["in_review"] < answer.created_at < moved["accepted"]
    signed = [s.created_at for s in await Signature.filter(mandate_id=fountains.id)]
    assert all(moved["collecting"] - timedelta(minutes=5) <= s < moved["submitted"] for s in signed)
    assert max(signed) - min(signed) > timedelta(weeks=1)
    # Each quorum milestone comes after the signature that reached it.
    for milestone in (e for e in entries if e.kind == "milestone"):
        assert sorted(signed)[milestone.data["count"] - 1] < milestone.created_at
    energy = await Mandate.get(title=demo.ENERGY)
    steps = {
        e.data["to"]: e.created_at
        for e in await TimelineEntry.filter(mandate_id=energy.id, kind="vote").order_by("id")
    }
    ranked = await Vote.get(mandate_id=energy.id)
    assert ranked.opens_at == steps["open"] and ranked.closes_at == steps["closed"]
    assert ranked.published_at == steps["published"]
    assert steps["closed"] - steps["open"] > timedelta(days=4)


def test_the_same_seed_gives_the_same_history() -> None:
    keys = ["launched", "status:collecting", "milestone", "status:submitted", "response"]
    end = clock.now()
    first = demo_history.schedule(keys, end, random.Random(demo_history.SEED))
    again = demo_history.schedule(keys, end, random.Random(demo_history.SEED))
    assert first == again and first == sorted(first) and first[-1] <= end
    assert first[-1] - first[0] > timedelta(days=3)
