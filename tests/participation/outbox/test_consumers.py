"""Named consumers: each its own progress, at least once, never skipping a late commit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from participation import areas, clock
from participation.live.bus import LocalBus
from participation.outbox import consumers, events
from participation.outbox.consumers import Consumer, Runner
from participation.outbox.envelope import Event
from participation.outbox.models import OutboxConsumer, OutboxDelivery, OutboxEvent
from participation.outbox.retention import prune_events, retention
from participation.sql import run
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("database")


class Recorder:
    """A handler that remembers what it got, and fails while `failing` says so."""

    def __init__(self, failing: bool = False) -> None:
        self.seen: list[int] = []
        self.failing = failing

    async def __call__(self, batch: Sequence[Event], context: Mapping[str, Any]) -> None:
        self.seen.extend(event.id or 0 for event in batch)
        if self.failing:
            raise RuntimeError("the handler is down")


async def _write(name: str = "tests:thing:happened", subject_id: int = 1) -> None:
    async with in_transaction() as conn:
        await events.write(conn, Event(name, "thing", subject_id))


async def _ids() -> list[int]:
    return list(await OutboxEvent.all().order_by("id").values_list("id", flat=True))


async def _watermark(name: str) -> int:
    return (await OutboxConsumer.get(name=name)).watermark


async def _due_now(name: str) -> None:
    """Let the failed deliveries of `name` be retried at once instead of after the backoff."""
    await OutboxDelivery.filter(consumer=name).update(retry_at=clock.now() - timedelta(seconds=1))


async def test_each_consumer_has_its_own_progress_and_a_failing_one_holds_up_no_other() -> None:
    for n in range(3):
        await _write(subject_id=n)
    good, bad = Recorder(), Recorder(failing=True)
    steady = Runner(Consumer("steady", {"tests:*": good}))
    broken = Runner(Consumer("broken", {"tests:thing:*": bad}))
    assert await broken.run_once() == 3
    assert await steady.run_once() == 3
    ids = await _ids()
    assert good.seen == ids
    assert await _watermark("steady") == ids[-1]
    assert await _watermark("broken") == 0
    # Failed events wait out their backoff; new ones still reach the healthy consumer.
    assert await broken.run_once() == 0
    await _write(subject_id=9)
    assert await steady.run_once() == 1
    bad.failing = False
    await _due_now("broken")
    bad.seen.clear()
    assert await broken.run_once() == 4
    assert sorted(bad.seen) == await _ids()
    assert await _watermark("broken") == (await _ids())[-1]
    # Passed rows are gone: the delivery table holds only the window above the watermark.
    assert not await OutboxDelivery.exists()


async def test_a_bad_event_fails_alone_and_is_delivered_again_later() -> None:
    for n in range(4):
        await _write(subject_id=n)
    poison = (await _ids())[2]
    seen: Counter[int] = Counter()
    fixed = False

    async def handler(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
        for event in batch:
            seen[event.id or 0] += 1
        if not fixed and any(event.id == poison for event in batch):
            raise RuntimeError("cannot handle this one")

    runner = Runner(Consumer("picky", {"*": handler}))
    assert await runner.run_once() == 4
    row = await OutboxDelivery.get(consumer="picky", event_id=poison)
    assert row.delivered_at is None and "cannot handle" in (row.error or "")
    # The watermark stops before the failed event; the one after it is delivered all the same.
    assert await _watermark("picky") == poison - 1
    after = await OutboxDelivery.get(consumer="picky", event_id=poison + 1)
    assert after.delivered_at is not None
    fixed = True
    await _due_now("picky")
    assert await runner.run_once() == 1
    # At least once: the bad event came again; the others were not repeated after success.
    assert seen[poison] >= 2
    assert all(seen[i] >= 1 for i in await _ids())
    assert await _watermark("picky") == (await _ids())[-1]


async def test_events_nobody_matches_are_passed_without_a_delivery() -> None:
    await _write("tests:thing:happened")
    await _write("other:thing:happened")
    handler = Recorder()
    runner = Runner(Consumer("narrow", {"tests:thing:happened": handler}))
    assert await runner.run_once() == 1
    assert len(handler.seen) == 1
    assert await _watermark("narrow") == (await _ids())[-1]


async def test_a_pattern_matches_underscores_literally() -> None:
    await _write("tests:thing:in_review")
    await _write("tests:thing:inxreview")
    handler = Recorder()
    assert await Runner(Consumer("exact", {"tests:thing:in_review": handler})).run_once() == 1


@pytest.mark.postgres
async def test_an_event_committed_late_with_a_lower_id_is_not_skipped() -> None:
    first_written, let_commit = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        async with in_transaction() as conn:
            await events.write(conn, Event("tests:thing:happened", "thing", 1))
            first_written.set()
            await let_commit.wait()

    handler = Recorder()
    runner = Runner(Consumer("orderly", {"tests:*": handler}))
    late = asyncio.create_task(slow())
    await first_written.wait()
    await _write(subject_id=2)
    assert await runner.run_once() == 1
    [early_committed] = handler.seen
    let_commit.set()
    await late
    lower = min(await _ids())
    assert lower < early_committed
    assert await runner.run_once() == 1
    assert handler.seen == [early_committed, lower]
    assert await _watermark("orderly") == early_committed


@pytest.mark.postgres
async def test_two_runners_in_parallel_deliver_each_event_once() -> None:
    async with in_transaction() as conn:
        await run(
            conn,
            f"{events.INSERT} SELECT 'tests:thing:happened', 'thing', n, NULL, NULL, '{{}}', $1 "
            "FROM generate_series(1, 3000) AS n",
            clock.now(),
        )
    seen: Counter[int] = Counter()

    async def handler(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
        await asyncio.sleep(0.01)
        for event in batch:
            seen[event.id or 0] += 1

    consumer = Consumer("shared", {"tests:*": handler})

    async def drain(runner: Runner) -> None:
        while await runner.run_once():
            pass

    await asyncio.gather(*(drain(Runner(consumer)) for _ in range(3)))
    assert len(seen) == 3000
    assert set(seen.values()) == {1}
    assert await _watermark("shared") == (await _ids())[-1]


async def test_a_running_consumer_wakes_on_a_commit_and_stops_on_request() -> None:
    handler = Recorder()
    runner = Runner(Consumer("awake", {"tests:*": handler}), interval=60)
    runner.start()
    try:
        await _write()
        events.committed()

        async def delivered() -> bool:
            return bool(handler.seen)

        await eventually(delivered, within=5)
    finally:
        await asyncio.wait_for(runner.stop(), 5)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumers, "_registry", {})


async def _age(days: int) -> None:
    await OutboxEvent.all().update(created_at=clock.now() - timedelta(days=days))


@pytest.mark.usefixtures("registry")
async def test_retention_prunes_old_events_every_consumer_has_consumed() -> None:
    for n in range(3):
        await _write(subject_id=n)
    await _age(31)
    fast = consumers.register(Consumer("fast", {"tests:*": Recorder()}))
    slow = consumers.register(Consumer("slow", {"tests:*": Recorder(failing=True)}))
    # The slow consumer has not consumed anything yet: nothing goes.
    assert await prune_events() == 0
    await Runner(fast).run_once()
    await Runner(slow).run_once()
    assert await prune_events() == 0
    assert await OutboxEvent.all().count() == 3
    await _write(subject_id=3)
    await Runner(fast).run_once()
    # The areas' own consumers have their say too.
    for declared in areas.consumers():
        await Runner(declared, {"bus": LocalBus()}).run_once()
    consumers._registry.pop(slow.name)
    # Consumed by every registered consumer, but the newest is younger than 30 days.
    assert await prune_events() == 3
    assert await OutboxEvent.all().count() == 1
    assert await prune_events(older_than=timedelta(0)) == 1
    assert not await OutboxEvent.exists()


def test_retention_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert retention() == timedelta(days=30)
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "7")
    assert retention() == timedelta(days=7)
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "soon")
    with pytest.raises(ValueError, match="OUTBOX_RETENTION_DAYS"):
        retention()
