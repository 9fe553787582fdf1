"""The live consumer: committed events become live-bus signals, each batch once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from participation.mandates import commands
from participation.mandates.live import LIVE
from participation.mandates.models import Status
from participation.outbox import events
from participation.outbox.consumers import Runner
from participation.outbox.models import OutboxConsumer, OutboxEvent
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
    assert sorted(bus.messages, key=lambda m: (m["mandate_id"], m["type"])) == [
        {"mandate_id": mandate.id, "type": "count", "count": 1, "resident": 0},
        {"mandate_id": mandate.id, "type": "timeline"},
        {"mandate_id": other.id, "type": "count", "count": 4, "resident": 0},
        {"mandate_id": other.id, "type": "timeline"},
    ]
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
