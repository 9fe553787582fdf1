"""Exactly once under real faults: `auftrag worker` killed with SIGKILL in the middle of
a batch of 5,000 notifications and started again, and two workers at once, each time
on PostgreSQL and Redis, leave every notification and email delivery there once.

500 mandates of 10 co-signers each complete: one batch of 500 outbox events, each
dispatched in its own transaction, so a kill lands between and inside them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from notifications.dispatch import NAME
from notifications.models import EmailDelivery, Notification
from participation.accounts.models import Consent
from participation.mandates.models import Mandate, Signature
from participation.outbox.models import OutboxEvent
from participation.sql import run
from tests import factories
from tests.conftest import REDIS_URL
from tests.factories import crowds
from tests.support import AUFTRAG, SECRET_KEY, eventually, server_environment

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(300)]

MANDATES = 500
SIGNERS = 10
COMPLETED = "mandates:mandate:completed"

Start = Callable[[str], subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[Start]:
    env = server_environment(
        DATABASE_URL=database_url, REDIS_URL=REDIS_URL or "", SECRET_KEY=SECRET_KEY
    )
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [str(AUFTRAG), "worker"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def _completed_mandates() -> set[tuple[int, int]]:
    """500 mandates of 10 co-signers complete; half the co-signers take email. Returns
    who must be told of which event: every co-signer, of her mandate's completion."""
    town = await factories.municipality("kill", quorum=SIGNERS)
    initiator = await factories.person(municipality=town)
    first = await factories.mandate(initiator, town)
    ids = [first.id, *await crowds.copies(first, MANDATES - 1)]
    people = await crowds.crowd(MANDATES * SIGNERS, email_share=0.5)
    for number, mandate_id in enumerate(ids):
        await crowds.cosign(mandate_id, people[number * SIGNERS : (number + 1) * SIGNERS])
    # The initiator completes them: as the actor, she is not told.
    await crowds.complete(await Mandate.filter(id__in=ids).order_by("id"), initiator.user_id)
    events = {e.subject_id: e.id for e in await OutboxEvent.filter(name=COMPLETED)}
    assert len(events) == MANDATES
    signed = await Signature.filter(mandate_id__in=ids).values_list("user_id", "mandate_id")
    # Launching signed the first mandate for her.
    return {(user, events[mandate]) for user, mandate in signed if user != initiator.user_id}


async def _told() -> int:
    return await Notification.filter(event_name=COMPLETED).count()


async def _all_dispatched() -> bool:
    """The dispatcher's watermark has passed every event: nothing is left to hand over."""
    from tortoise.connection import connections

    rows = await run(
        connections.get("default"),
        "SELECT watermark FROM outbox_consumer WHERE name = $1",
        NAME,
    )
    last = await OutboxEvent.all().order_by("-id").first()
    return bool(rows) and last is not None and int(rows[0]["watermark"]) >= last.id


async def _exactly_once(expected: set[tuple[int, int]]) -> None:
    notes = await Notification.filter(event_name=COMPLETED).values_list(
        "id", "recipient_id", "event_id"
    )
    assert len(notes) == len(expected) == MANDATES * SIGNERS
    assert {(recipient, event) for _, recipient, event in notes} == expected
    emails = await EmailDelivery.filter(notification__event_name=COMPLETED).values_list(
        "notification_id", "recipient_id"
    )
    consenting = set(await Consent.filter(granted=True).values_list("user_id", flat=True))
    by_note = {note: recipient for note, recipient, _ in notes}
    assert len(emails) == len({note for note, _ in emails}) == MANDATES * SIGNERS // 2
    assert all(by_note[note] == recipient in consenting for note, recipient in emails)


async def test_a_worker_killed_mid_batch_and_restarted_tells_everyone_exactly_once(
    database: str, start_worker: Start
) -> None:
    expected = await _completed_mandates()
    first = start_worker("first")

    async def started() -> bool:
        assert first.poll() is None, "the worker died"
        return await _told() > 0

    await eventually(started, within=60)
    os.kill(first.pid, signal.SIGKILL)
    await asyncio.to_thread(first.wait, 10)
    at_kill = await _told()
    assert 0 < at_kill < len(expected), f"the kill came too late to prove anything: {at_kill}"

    second = start_worker("second")

    async def resumed() -> bool:
        assert second.poll() is None, "the restarted worker died"
        return await _all_dispatched()

    # The killed worker's lease on the batch runs out first (15 s).
    await eventually(resumed, within=120)
    await _exactly_once(expected)


async def test_two_workers_at_once_never_tell_anyone_twice(
    database: str, start_worker: Start
) -> None:
    expected = await _completed_mandates()
    workers = [start_worker("one"), start_worker("two")]

    async def done() -> bool:
        assert all(w.poll() is None for w in workers), "a worker died"
        return await _all_dispatched()

    await eventually(done, within=120)
    await _exactly_once(expected)
