"""A mandate with 100,000 co-signers completes: how fast are they all told?

Against a fresh PostgreSQL database, real Redis, --workers `auftrag worker` processes
(subprocesses, production settings) and an aiosmtpd SMTP server on loopback in this
process: --signers co-signers, half of them consenting to email (no quiet hours, so
the figure does not depend on the hour), co-sign one mandate; each round records its
completion in the outbox, as the council's command does, and measures

* inbox: from the commit to the last of the --signers notifications in the table,
* email: from the commit to the last of the emails accepted by the SMTP server,

then, in the same round and on the same Redis, the raw arq rate: --noop-jobs jobs that
do nothing but count themselves (one INCR), enqueued one by one and run by as many
arq workers as there are `auftrag worker`s, from the first enqueue to the last run.
Ratio: notifications per second end to end / raw arq jobs per second. Targets: at least
2,000 inbox notifications/s, 500 emails/s, and 0.3 of the raw arq rate. The median of
the rounds and their spread are printed. Each round's notifications are deleted before
the next, so every round fans out into the same table size.

Not measured here: (a), 100,000 service-visit calls (the endpoint lives on h/visits).

    .venv/bin/python bench/notify.py [--signers 100000] [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import harness
from rounds import median, spread

sys.path.insert(0, str(harness.REPO))

NOOP_COUNTER = "bench:notify:noop"
NOOP_QUEUE = "bench:notify:noop-queue"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/auftrag_bench_notify"
    )
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    p.add_argument("--signers", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=2, help="auftrag worker processes")
    p.add_argument("--noop-jobs", type=int, default=20_000)
    p.add_argument("--timeout", type=float, default=900, help="seconds a round may take")
    p.add_argument("--noop-worker", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


# --- the raw arq reference ------------------------------------------------------------


async def noop(ctx: dict[str, Any]) -> None:
    await ctx["redis"].incr(NOOP_COUNTER)


def run_noop_worker(redis_url: str) -> None:
    from arq.connections import RedisSettings
    from arq.worker import func, run_worker

    run_worker(
        {
            "functions": [func(noop, name="noop", keep_result=0)],
            "queue_name": NOOP_QUEUE,
            "redis_settings": RedisSettings.from_dsn(redis_url),
            "poll_delay": 0.05,
        }
    )


async def raw_arq_rate(pool: Any, jobs: int) -> float:
    await pool.set(NOOP_COUNTER, 0)
    started = time.perf_counter()
    for first in range(0, jobs, 500):
        await asyncio.gather(
            *(
                pool.enqueue_job("noop", _queue_name=NOOP_QUEUE)
                for _ in range(first, min(first + 500, jobs))
            )
        )
    # The counter is kept in Redis by the worker processes: nothing here to wait on.
    while int(await pool.get(NOOP_COUNTER) or 0) < jobs:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    return jobs / (time.perf_counter() - started)


# --- SMTP -----------------------------------------------------------------------------


class Counting:
    """An aiosmtpd handler that accepts every message and counts it."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
        return "250 OK"


# --- data -----------------------------------------------------------------------------


async def seed(signers: int) -> tuple[int, int, int]:
    """(mandate id, municipality id, initiator id): a collecting mandate and its signers,
    through the domain for the mandate and in bulk SQL for the crowd."""
    from tortoise.connection import connections

    from tests import factories

    town = await factories.municipality("bench-notify", quorum=signers * 2)
    initiator = await factories.person(municipality=town)
    mandate = await factories.mandate(initiator, town, title="Radweg Nordstadt")
    conn = connections.get("default")
    await conn.execute_query(
        "INSERT INTO account_user (email, display_name, email_verified, created_at) "
        "SELECT 'signer' || g || '@bench.invalid', 'Signer ' || g, true, now() "
        "FROM generate_series(1, $1::int) AS g",
        [signers],
    )
    await conn.execute_query(
        "INSERT INTO signature (mandate_id, user_id, resident, created_at) "
        "SELECT $1, id, false, now() FROM account_user WHERE email LIKE 'signer%@bench.invalid'",
        [mandate.id],
    )
    await conn.execute_query(
        "INSERT INTO account_consent (user_id, topic, granted, wording_version, created_at) "
        "SELECT id, 'email_notifications', true, '1', now() FROM account_user "
        "WHERE email LIKE 'signer%@bench.invalid' AND id % 2 = 0"
    )
    await conn.execute_query(
        "INSERT INTO notification_settings (user_id, quiet_hours, quiet_from, quiet_until, "
        "language) SELECT id, false, 22, 7, 'de' FROM account_user "
        "WHERE email LIKE 'signer%@bench.invalid'"
    )
    return mandate.id, town.id, initiator.user_id


async def one_round(
    mandate_id: int, municipality_id: int, actor_id: int, signers: int, smtp: Counting, limit: float
) -> tuple[float, float, int]:
    """Seconds until every inbox notification, until every email; and how many emails."""
    from notifications.models import EmailDelivery, Notification
    from participation.mandates.lifecycle import LIFECYCLE
    from participation.mandates.models import Status
    from participation.unit import atomic

    await EmailDelivery.all().delete()
    await Notification.all().delete()
    emails_before = smtp.count
    wanted_emails = await EmailDelivery.all().count()
    async with atomic() as unit:
        event = await unit.record(
            LIFECYCLE.event_name(Status.COMPLETED),
            "mandate",
            mandate_id,
            municipality_id=municipality_id,
            actor_id=actor_id,
            entry={"kind": "status", "data": {"status": "completed"}},
        )
    started = time.perf_counter()
    inbox = email = float("nan")
    while time.perf_counter() - started < limit:
        if inbox != inbox and await Notification.filter(event_name=event.name).count() >= signers:
            inbox = time.perf_counter() - started
            wanted_emails = await EmailDelivery.all().count()
        if inbox == inbox and smtp.count - emails_before >= wanted_emails:
            email = time.perf_counter() - started
            break
        await asyncio.sleep(0.05)
    return inbox, email, wanted_emails


def start_workers(args: argparse.Namespace, smtp_port: int, tmp: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SECRET_KEY": "bench-secret-key-" + "x" * 32,
        "BASE_URL": "http://localhost:8000",
        "AUFTRAG_VAR_DIR": str(tmp),
    }
    processes = []
    for n in range(args.workers):
        log = (tmp / f"worker{n}.log").open("w")
        processes.append(
            subprocess.Popen(
                [harness.AUFTRAG, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, __file__, "--noop-worker", "--redis-url", args.redis_url],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return processes


async def main(args: argparse.Namespace) -> int:
    from aiosmtpd.controller import Controller
    from arq import create_pool
    from arq.connections import RedisSettings

    from participation import db

    harness.exit_on_signals()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-notify-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    await harness.recreate_database(args.database_url)
    # Set-up before any clock starts: blocking the loop here costs no measurement.
    subprocess.run(  # noqa: ASYNC221
        [harness.AUFTRAG, "migrate"],
        env={**os.environ, "DATABASE_URL": args.database_url, "AUFTRAG_VAR_DIR": str(tmp)},
        check=True,
    )
    smtp = Counting()
    controller = Controller(smtp, hostname="127.0.0.1", port=harness.free_port())
    controller.start()
    pool = await create_pool(RedisSettings.from_dsn(args.redis_url))
    await pool.flushdb()
    await db.init(args.database_url)
    processes: list[subprocess.Popen] = []
    try:
        harness.log(f"seeding {args.signers:,} co-signers")
        mandate_id, town_id, actor_id = await seed(args.signers)
        processes = start_workers(args, controller.port, tmp)
        await asyncio.sleep(3)
        rows = []
        for number in range(1, args.rounds + 1):
            inbox, email, emails = await one_round(
                mandate_id, town_id, actor_id, args.signers, smtp, args.timeout
            )
            raw = await raw_arq_rate(pool, args.noop_jobs)
            row = {
                "inbox": args.signers / inbox,
                "email": emails / email,
                "raw": raw,
            }
            row["ratio"] = row["inbox"] / raw
            rows.append(row)
            harness.log(
                f"round {number}: {args.signers:,} inbox in {inbox:.1f} s, {emails:,} emails "
                f"in {email:.1f} s; raw arq {raw:,.0f} jobs/s"
            )
        print(f"\n{args.signers:,} co-signers, {args.workers} worker(s), {args.rounds} rounds")
        print(
            harness.table(
                ["figure", "median (min–max)", "target", "median / target"],
                [
                    _row(rows, "inbox", "inbox notifications/s", 2000),
                    _row(rows, "email", "emails/s", 500),
                    _row(rows, "raw", "raw arq no-op jobs/s", None),
                    _row(rows, "ratio", "inbox/s ÷ raw arq/s", 0.3, digits=2),
                ],
            )
        )
        return 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        await db.close()
        await pool.flushdb()
        await pool.aclose()
        controller.stop()
        await harness.drop_database(args.database_url)
        harness.remove_tree(tmp)


def _row(
    rows: list[dict[str, float]], key: str, name: str, target: float | None, digits: int = 0
) -> list[object]:
    values = [r[key] for r in rows]
    shown = f"{median(values) / target:.2f}" if target else "—"
    return [name, spread(values, digits), f"{target:,}" if target else "—", shown]


if __name__ == "__main__":
    arguments = parse()
    if arguments.noop_worker:
        run_noop_worker(arguments.redis_url)
    else:
        harness.run(main, arguments)
