"""Every job gets a timeout, tries with backoff and, after the last, a dead letter: the
same in the web process (no Redis) and on a real arq worker on Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from notifications import tasks
from notifications.jobs import ArqJobs, InProcessJobs
from notifications.models import DeadLetter
from notifications.worker import arq_function
from participation import areas
from participation.areas import Area, Task
from tests.conftest import REDIS_URL
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("database")


class Flaky:
    """Fails its first `failures` calls, then succeeds; counts the calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, ctx: dict[str, Any], **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if len(self.calls) <= self.failures:
            raise RuntimeError(f"failure {len(self.calls)}")


async def _sleeps(ctx: dict[str, Any], **kwargs: Any) -> None:
    await asyncio.sleep(30)


@pytest.fixture
def jobs_area(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Flaky]]:
    monkeypatch.setattr(tasks, "BACKOFF_BASE", 0.01)
    flaky = {"recovers": Flaky(2), "broken": Flaky(100)}
    area = Area(
        name="tests_jobs",
        tasks=(
            Task("tests_recovers", flaky["recovers"], timeout=5, tries=3),
            Task("tests_broken", flaky["broken"], timeout=5, tries=3),
            Task("tests_slow", _sleeps, timeout=0.2, tries=2),
        ),
    )
    areas.register(area)
    yield flaky
    areas.unregister(area)


def test_the_backoff_doubles_up_to_its_most() -> None:
    assert [tasks.backoff(n) for n in (1, 2, 3)] == [10, 20, 40]
    assert tasks.backoff(20) == tasks.BACKOFF_MAX


def test_every_task_and_clock_job_has_a_timeout_and_tries() -> None:
    registered = tasks.registered()
    assert "send_email" in registered
    assert {job.name for job in areas.clock_jobs()} <= set(registered)
    assert all(task.timeout > 0 and task.tries >= 1 for task in registered.values())


async def test_in_process_a_failing_job_is_tried_again_until_it_succeeds(
    jobs_area: dict[str, Flaky],
) -> None:
    jobs = InProcessJobs({})
    await jobs.enqueue("tests_recovers", municipality_id=7)
    await eventually(lambda: _done(jobs_area["recovers"], 3))
    await jobs.close()
    assert not await DeadLetter.exists()


async def test_in_process_a_job_that_fails_every_try_becomes_a_dead_letter(
    jobs_area: dict[str, Flaky],
) -> None:
    jobs = InProcessJobs({})
    await jobs.enqueue("tests_broken", municipality_id=7, text="hello")
    await eventually(DeadLetter.exists)
    await jobs.close()
    letter = await DeadLetter.get()
    assert len(jobs_area["broken"].calls) == 3
    assert (letter.task, letter.tries, letter.municipality_id) == ("tests_broken", 3, 7)
    assert letter.kwargs == {"municipality_id": 7, "text": "hello"}
    assert "RuntimeError: failure 3" in letter.error


async def test_in_process_a_job_past_its_timeout_is_stopped_and_dead_lettered(
    jobs_area: dict[str, Flaky],
) -> None:
    jobs = InProcessJobs({})
    await jobs.enqueue("tests_slow")
    await eventually(DeadLetter.exists, within=5)
    await jobs.close()
    letter = await DeadLetter.get()
    assert (letter.task, letter.tries, letter.municipality_id) == ("tests_slow", 2, None)
    assert letter.error == "timed out after 0.2 s"


async def _done(flaky: Flaky, calls: int) -> bool:
    return len(flaky.calls) >= calls


@pytest.fixture
async def queue() -> AsyncIterator[tuple[ArqJobs, str]]:
    """Jobs on real Redis, on a queue of this test's own."""
    name = f"tests:{uuid.uuid4().hex}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL or ""), default_queue_name=name)
    jobs = ArqJobs(pool, {})
    yield jobs, name
    await pool.delete(name)
    await jobs.close()


async def _work(jobs: ArqJobs, queue_name: str) -> None:
    """A real arq worker that runs until the queue is empty, deferred tries included."""
    worker = Worker(
        functions=[arq_function(task) for task in tasks.registered().values()],
        redis_pool=jobs.pool,
        queue_name=queue_name,
        burst=True,
        poll_delay=0.01,
        handle_signals=False,
    )
    await worker.main()


@pytest.mark.redis
async def test_on_arq_a_failing_job_is_retried_with_backoff_until_it_succeeds(
    jobs_area: dict[str, Flaky], queue: tuple[ArqJobs, str]
) -> None:
    jobs, name = queue
    await jobs.enqueue("tests_recovers", municipality_id=7)
    await asyncio.wait_for(_work(jobs, name), 20)
    assert len(jobs_area["recovers"].calls) == 3
    assert not await DeadLetter.exists()


@pytest.mark.redis
async def test_on_arq_a_job_that_fails_every_try_becomes_a_dead_letter(
    jobs_area: dict[str, Flaky], queue: tuple[ArqJobs, str]
) -> None:
    jobs, name = queue
    await jobs.enqueue("tests_broken", municipality_id=7, text="hello")
    await jobs.enqueue("tests_slow")
    await asyncio.wait_for(_work(jobs, name), 20)
    assert len(jobs_area["broken"].calls) == 3
    broken = await DeadLetter.get(task="tests_broken")
    assert (broken.tries, broken.municipality_id, broken.kwargs) == (
        3,
        7,
        {"municipality_id": 7, "text": "hello"},
    )
    slow = await DeadLetter.get(task="tests_slow")
    assert (slow.tries, slow.error) == (2, "timed out after 0.2 s")


@pytest.mark.redis
async def test_on_arq_a_job_whose_worker_died_in_its_last_try_becomes_a_dead_letter(
    jobs_area: dict[str, Flaky], queue: tuple[ArqJobs, str]
) -> None:
    jobs, name = queue
    job = await jobs.pool.enqueue_job("tests_broken", municipality_id=7)
    # What arq's counter says when the worker was killed during try 3 of 3.
    await jobs.pool.set(f"arq:retry:{job.job_id}", 3)
    await asyncio.wait_for(_work(jobs, name), 20)
    assert jobs_area["broken"].calls == []
    letter = await DeadLetter.get(task="tests_broken")
    assert letter.error == "the worker stopped during the last try"
