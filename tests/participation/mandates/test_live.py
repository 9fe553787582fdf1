"""The live consumer: committed events become live-bus signals, each batch once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from participation import areas
from participation.areas import Area
from participation.mandates import commands
from participation.mandates.live import LIVE
from participation.mandates.models import Status
from participation.outbox import events
from participation.outbox.catalogue import entry as entry_of
from participation.outbox.consumers import Runner
from participation.outbox.models import OutboxConsumer, OutboxEvent
from participation.timeline import entries as timeline_entries
from participation.timeline import queries as timeline_queries
from participation.unit import atomic
from tests import factories
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("database")


class RecordingBus:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        assert topic == f"mandate:{message['mandate_id']}"
        self.messages.append(message)


def live_runner(bus: RecordingBus, interval: float = 0.5) -> Runner:
    """The live consumer's runner, publishing on `bus`."""
    return Runner(LIVE, {"bus": bus}, interval)


async def undelivered() -> int:
    """Events the live consumer has not had yet."""
    return await OutboxEvent.filter(id__gt=await watermark()).count()


async def watermark() -> int:
    consumer = await OutboxConsumer.get_or_none(name=LIVE.name)
    return consumer.watermark if consumer else 0


async def test_one_signal_per_mandate_and_kind_then_marked_dispatched() -> None:
    town = await factories.municipality(quorum=10)
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    other = await factories.mandate(initiator, town, Status.COLLECTING)
    for signer in await factories.people(3):
        await commands.sign_mandate(signer, other.id)
    bus = RecordingBus()
    runner = live_runner(bus)
    handled = await runner.run_once()
    # launched, collecting and a signature each; three more signatures and the 25 % milestone
    assert handled == await OutboxEvent.all().count() == 10
    messages = sorted(bus.messages, key=lambda m: (m["mandate_id"], m["type"]))
    assert [(m["mandate_id"], m["type"]) for m in messages] == [
        (mandate.id, "count"),
        (mandate.id, "timeline"),
        (other.id, "count"),
        (other.id, "timeline"),
    ]
    assert messages[0] == {"mandate_id": mandate.id, "type": "count", "count": 1, "resident": 0}
    assert messages[2] == {"mandate_id": other.id, "type": "count", "count": 4, "resident": 0}
    # Timeline messages carry the entries, as the timeline's readers show them: no
    # stream has to read them again.
    for message in (messages[1], messages[3]):
        stored = await timeline_queries.entries(message["mandate_id"])
        assert message["entries"] == [
            {**e, "created_at": e["created_at"].isoformat()}
            for e in ({k: v for k, v in s.items() if k != "mandate_id"} for s in stored)
        ]
    assert [e["kind"] for e in messages[3]["entries"]] == ["launched", "status", "milestone"]
    assert messages[3]["entries"][0]["actor"] == {"display_name": initiator.display_name}
    assert messages[3]["entries"][2]["actor"] is None
    assert await undelivered() == 0
    assert await runner.run_once() == 0


async def test_signatures_alone_signal_only_the_count() -> None:
    town = await factories.municipality(quorum=10)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    bus = RecordingBus()
    runner = live_runner(bus)
    await runner.run_once()
    bus.messages.clear()
    await commands.sign_mandate(await factories.person(), mandate.id)
    assert await runner.run_once() == 1
    assert bus.messages == [{"mandate_id": mandate.id, "type": "count", "count": 2, "resident": 0}]


async def test_any_areas_timeline_entry_reaches_the_mandates_topic() -> None:
    """Answers, plans and costs write their entries through the timeline; the live
    consumer hears those events whatever area names them."""
    town = await factories.municipality(quorum=10)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    runner = live_runner(RecordingBus())
    await runner.run_once()
    bus = RecordingBus()
    runner = live_runner(bus)
    elsewhere = Area(
        name="answers-for-this-test",
        events=(entry_of("answers:response:published", "mandate", ("entry",), "An answer."),),
    )
    areas.register(elsewhere)
    try:
        async with atomic() as unit:
            entry = await timeline_entries.record(
                unit,
                mandate.id,
                "response",
                "answers:response:published",
                {"body_html": "<p>Wir prüfen.</p>", "role": "Rat", "department": "Bauamt"},
                municipality_id=town.id,
            )
        assert await runner.run_once() == 1
    finally:
        areas.unregister(elsewhere)
    timeline = next(m for m in bus.messages if m["type"] == "timeline")
    assert [(e["id"], e["kind"]) for e in timeline["entries"]] == [(entry.id, "response")]
    assert timeline["entries"][0]["data"]["department"] == "Bauamt"


async def test_the_running_consumer_wakes_on_a_commit() -> None:
    town = await factories.municipality(quorum=10)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    bus = RecordingBus()
    # A poll interval far longer than the test: only the nudge can wake it in time.
    runner = live_runner(bus, interval=60)
    runner.start()
    try:
        await commands.sign_mandate(await factories.person(), mandate.id)

        async def count_signalled() -> bool:
            return {
                "mandate_id": mandate.id,
                "type": "count",
                "count": 2,
                "resident": 0,
            } in bus.messages

        await eventually(count_signalled, within=2)

        # The events are marked delivered just after their signal went out.
        async def all_delivered() -> bool:
            return await undelivered() == 0

        await eventually(all_delivered, within=2)
    finally:
        await runner.stop()


async def test_a_commit_at_the_moment_of_stopping_does_not_keep_it_running() -> None:
    """Python 3.11's asyncio.wait_for drops a cancellation that arrives just as its wait
    completes: the runner then polled on, and shutdown waited for it for ever."""
    runner = live_runner(RecordingBus(), interval=60)
    runner.start()
    await asyncio.sleep(0.05)
    events.committed()
    # One turn of the loop: the runner's wait has completed, it has not resumed yet.
    await asyncio.sleep(0)
    stopping = asyncio.ensure_future(runner.stop())
    try:
        done, _ = await asyncio.wait({stopping}, timeout=5)
        assert stopping in done, "the runner went on running after stop()"
    finally:
        stopping.cancel()
