"""The dispatcher's enqueued `send_emails` sends, in the web process without Redis and
through real Redis and an arq worker with it; the clock job is declared as a safety net."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from arq.connections import RedisSettings, create_pool
from arq.worker import Worker

from notifications.dispatch import SEND_EMAILS, dispatch
from notifications.jobs import ArqJobs, InProcessJobs
from notifications.kinds import Recipient
from notifications.mail import SmtpMailer
from notifications.models import EmailDelivery, EmailStatus, Reason
from notifications.tasks import registered
from notifications.worker import arq_function
from participation import areas
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, grant_consent
from tests.conftest import REDIS_URL
from tests.factories import people, time_travel
from tests.notifications.email.conftest import OUTGOING, Chosen, Inbox, happened
from tests.support import eventually

pytestmark = pytest.mark.usefixtures("database")

NOON = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


async def _two_consenting(chosen: Chosen) -> None:
    found = await people(2)
    for person in found:
        await grant_consent(person, EMAIL_NOTIFICATIONS, "1")
    chosen.recipients = [Recipient(p.user_id, Reason.SIGNER) for p in found]


def test_the_sender_is_a_task_and_a_clock_job_each_minute() -> None:
    assert {SEND_EMAILS, "send_email_delivery"} <= set(registered())
    [job] = [job for job in areas.clock_jobs() if job.name == "send_due_emails"]
    assert job.every == 1


async def test_without_redis_the_web_process_sends_after_the_dispatch(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    await _two_consenting(chosen)
    jobs = InProcessJobs({"mailer": mailer, "outgoing": OUTGOING})
    with time_travel(NOON):
        await dispatch([await happened()], {"jobs": jobs})
        await jobs.close()
    assert len(smtp.messages) == 2
    assert await EmailDelivery.filter(status=EmailStatus.SENT).count() == 2


@pytest.mark.redis
async def test_through_redis_an_arq_worker_sends_what_the_dispatcher_enqueued(
    chosen: Chosen, smtp: Inbox, mailer: SmtpMailer
) -> None:
    await _two_consenting(chosen)
    queue = f"tests:email:{uuid.uuid4().hex}"
    redis = RedisSettings.from_dsn(REDIS_URL or "")
    pool = await create_pool(redis, default_queue_name=queue)
    jobs = ArqJobs(pool, {})
    worker = Worker(
        [arq_function(task) for task in registered().values()],
        queue_name=queue,
        redis_pool=pool,
        burst=True,
        handle_signals=False,
        ctx={"mailer": mailer, "outgoing": OUTGOING},
    )
    try:
        with time_travel(NOON):
            await dispatch([await happened()], {"jobs": jobs})
            await worker.async_run()

        async def sent() -> bool:
            return len(smtp.messages) == 2

        await eventually(sent)
        assert worker.jobs_complete == 1
    finally:
        await pool.aclose()
