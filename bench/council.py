"""The council's review queue with 10,000 mandates in review in one municipality.

Against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, as a subprocess, migrated by its own start), one municipality is seeded in a
few SQL statements with --mandates mandates in the queue's statuses (70 % in review,
15 % submitted, 10 % accepted, 5 % in progress), spread over four districts, five
departments and eight topics, their due dates from ten days ago to ten days ahead (so
about half are overdue), a first answer on a third of them, and a signature counter row
each. A council member then asks GET /api/v1/municipalities/{slug}/review-queue over
HTTP (httpx, one keep-alive connection, one request at a time, so each figure is one
request's latency through the whole stack) for:

* the default order (due date, overdue first) — the target: p95 < 50 ms,
* the overdue filter,
* a district and a status filter together,
* the signatures order (informative: it sums counter rows),
* GET /api/v1/health, the reference: one trivial query through the same stack, so a
  loaded machine shows as a slow reference,

--rounds times --requests each, alternating, and prints p50/p95 per variant (the median
of the rounds' p95s and their spread), the ratio of the p95 to the 50 ms target, the CPU
milliseconds per request of the server's process and of the PostgreSQL backends serving
it (bench/cpu.py; unlike latency, barely moved by other work on the machine, so it says
what a request costs where the latency says how long it waited), and the
EXPLAIN ANALYZE plan of the default order's main query, the statement Tortoise builds for
it. The database is dropped at exit.

    .venv/bin/python bench/council.py [--mandates 10000] [--rounds 5] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cpu  # noqa: E402
import harness  # noqa: E402
from harness import log  # noqa: E402

TARGET_P95_MS = 50.0
SLUG = "bench-council"
DISTRICTS = ("altstadt", "nord", "sued", "hafen")
TOPICS = ("verkehr", "schule", "gruen", "energie", "wohnen", "sport", "kultur", "digital")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="p95 of the review queue with 10,000 mandates in one municipality.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_council",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--mandates", type=int, default=10_000, help="mandates in the queue")
    p.add_argument("--rounds", type=int, default=5, help="rounds over all variants")
    p.add_argument("--requests", type=int, default=200, help="requests per variant and round")
    p.add_argument("--warmup", type=int, default=30, help="unmeasured requests per variant")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    return p.parse_args(argv)


async def seed(conn: asyncpg.Connection, mandates: int) -> tuple[int, int]:
    """The municipality, its districts, departments and mandates; returns (municipality id,
    council member's user id)."""
    municipality = await harness.create_municipality(conn, SLUG, 30)
    await conn.execute(
        "INSERT INTO district (municipality_id, slug, name) "
        "SELECT $1, d, initcap(d) FROM unnest($2::text[]) AS d",
        municipality,
        list(DISTRICTS),
    )
    await conn.execute(
        "INSERT INTO department (municipality_id, name, created_at) "
        "SELECT $1, 'Fachbereich ' || g, now() FROM generate_series(1, 5) AS g",
        municipality,
    )
    initiator, council = await harness.create_users(conn, 2, "council-bench")
    await conn.execute(
        "INSERT INTO account_membership (user_id, municipality_id, role, created_at) "
        "VALUES ($1, $2, 'council', now())",
        council,
        municipality,
    )
    started = time.perf_counter()
    await conn.execute(
        """
        WITH districts AS (
            SELECT array_agg(id ORDER BY id) AS ids FROM district WHERE municipality_id = $1
        ), departments AS (
            SELECT array_agg(id ORDER BY id) AS ids FROM department WHERE municipality_id = $1
        )
        INSERT INTO mandate (municipality_id, initiator_id, title, summary, body, body_html,
            status, quorum, milestone, created_at, published_at, submitted_at, answer_due_at,
            first_answer_at, promise_kept, district_id, department_id)
        SELECT $1, $2, 'Auftrag ' || g, 'Zusammenfassung ' || g, 'Text', '<p>Text</p>',
            CASE WHEN g % 20 < 14 THEN 'in_review' WHEN g % 20 < 17 THEN 'submitted'
                 WHEN g % 20 < 19 THEN 'accepted' ELSE 'in_progress' END,
            30, 100, due - interval '40 days', due - interval '30 days', due - interval '5 days',
            due,
            CASE WHEN g % 3 = 0 THEN due - interval '1 day' END,
            CASE WHEN g % 3 = 0 THEN true END,
            districts.ids[1 + g % 4],
            CASE WHEN g % 7 = 0 THEN NULL ELSE departments.ids[1 + g % 5] END
        FROM generate_series(1, $3::int) AS g, districts, departments,
            LATERAL (SELECT date_trunc('day', now()) + interval '23 hours 59 minutes'
                     + ((g % 21) - 10) * interval '1 day' AS due) AS d
        """,
        municipality,
        initiator,
        mandates,
    )
    await conn.execute(
        "INSERT INTO mandate_topic (mandate_id, topic) "
        "SELECT id, ($2::text[])[1 + id % 8] FROM mandate WHERE municipality_id = $1",
        municipality,
        list(TOPICS),
    )
    await conn.execute(
        "INSERT INTO signature_count (mandate_id, shard, count, resident) "
        "SELECT id, 0, 30 + (id * 7919) % 500, 0 FROM mandate WHERE municipality_id = $1",
        municipality,
    )
    for table in ("mandate", "mandate_topic", "signature_count", "department", "district"):
        await conn.execute(f"VACUUM (ANALYZE) {table}")
    log(f"{mandates:,} mandates seeded in {time.perf_counter() - started:.1f}s")
    return municipality, council


async def main_query_sql(database_url: str) -> str:
    """The statement of the default order's first page, as the app's ORM builds it."""
    from participation import db
    from participation.council import queue
    from participation.council.queue import QueueFilter
    from participation.municipalities.models import Municipality

    await db.init(harness.plain_dsn(database_url))
    try:
        municipality = await Municipality.get(slug=SLUG)
        query = await queue._filtered(municipality, QueueFilter(), list(queue.QUEUE_STATUSES))
        assert query is not None
        segment = queue._segments(queue.Sort.DUE, datetime.now(UTC))[0]
        page = query.filter(segment.where).order_by("answer_due_at", "id").limit(21)
        return page.sql(params_inline=True)
    finally:
        await db.close()


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    dsn = harness.plain_dsn(args.database_url)
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    server = harness.Server(args.database_url)
    try:
        server.start()
        conn = await harness.connect(dsn)
        try:
            _, council = await seed(conn, args.mandates)
            (token,) = await harness.mint_tokens(conn, server.secret_key, [council])
            district = DISTRICTS[1]
            base = f"/api/v1/municipalities/{SLUG}/review-queue"
            variants = [
                ("default (due, overdue first)", base),
                ("overdue=true", base + "?overdue=true"),
                (
                    f"district={district}&status=in_review",
                    f"{base}?district={district}&status=in_review",
                ),
                ("sort=signatures (informative)", base + "?sort=signatures"),
                ("GET /api/v1/health (reference)", "/api/v1/health"),
            ]
            timings: dict[str, list[list[float]]] = {label: [] for label, _ in variants}
            # Per variant and round: (server, PostgreSQL) CPU ms per request, and the rest
            # of the machine in % of one core.
            costs: dict[str, list[tuple[float, float, float]]] = {v: [] for v, _ in variants}
            admin, name = harness.split_database_url(args.database_url)
            assert server.proc is not None
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=30) as c:
                first = await c.get(base)
                first.raise_for_status()
                body = first.json()
                log(f"counts {body['counts']}, first page {len(body['items'])} items")
                for _, path in variants:
                    for _ in range(args.warmup):
                        (await c.get(path)).raise_for_status()
                for n in range(args.rounds):
                    for label, path in variants:
                        times = []
                        async with cpu.CpuMeter(admin, name, server.proc.pid) as meter:
                            for _ in range(args.requests):
                                t0 = time.perf_counter()
                                response = await c.get(path)
                                times.append((time.perf_counter() - t0) * 1000)
                                response.raise_for_status()
                        timings[label].append(times)
                        used = meter.usage
                        assert used is not None
                        costs[label].append(
                            (
                                cpu.ms_per(used.server, args.requests),
                                cpu.ms_per(used.postgres, args.requests),
                                used.percent("other"),
                            )
                        )
                    log(f"round {n + 1}/{args.rounds} done")
            sql = await main_query_sql(args.database_url)
            plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        finally:
            await conn.close()
    finally:
        server.stop()
        if not args.keep_database:
            await harness.drop_database(args.database_url)

    rows = []
    verdict = ""
    reference = statistics.median(
        harness.percentile(r, 95) for r in timings["GET /api/v1/health (reference)"]
    )
    for label, _ in variants:
        p50s = [harness.percentile(r, 50) for r in timings[label]]
        p95s = [harness.percentile(r, 95) for r in timings[label]]
        p95 = statistics.median(p95s)
        server_ms, postgres_ms, noise = (
            [round_costs[i] for round_costs in costs[label]] for i in range(3)
        )
        rows.append(
            [
                label,
                f"{statistics.median(p50s):.2f}",
                f"{p95:.2f}",
                f"{min(p95s):.2f}–{max(p95s):.2f}",
                f"{p95 / TARGET_P95_MS:.2f}",
                f"{p95 / reference:.1f}",
                spread(server_ms, 2),
                spread(postgres_ms, 2),
                spread(noise, 0),
            ]
        )
        if label.startswith("default"):
            verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(
        f"\nReview queue, {args.mandates:,} mandates in one municipality, PostgreSQL, "
        f"`auftrag serve` over HTTP, one request at a time; {args.rounds} rounds × "
        f"{args.requests} requests per variant\n"
    )
    print(
        harness.table(
            [
                "variant",
                "p50 ms",
                "p95 ms",
                "p95 over rounds",
                "p95 / 50 ms",
                "p95 / health",
                "srv CPU ms/req",
                "pg CPU ms/req",
                "noise % core",
            ],
            rows,
        )
    )
    print(f"\nload average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(f"target p95 < {TARGET_P95_MS:.0f} ms for the default order: {verdict}\n")
    print("main query (default order, first page):\n" + sql + "\n")
    print("EXPLAIN (ANALYZE, BUFFERS):")
    for row in plan:
        print("  " + row[0])
    return 0


def spread(values: list[float], digits: int) -> str:
    """Median (min–max) of the rounds."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


if __name__ == "__main__":
    harness.run(main, parse_args())
