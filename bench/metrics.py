"""The public figures at a deployment's scale: rebuild, dashboard, comparison, projection.

Against a fresh PostgreSQL database (`auftrag migrate`, then two years of history written
with COPY by bench/metrics_data.py: 10 municipalities, 100,000 mandates, 5,000,000
timeline entries, with their signatures, answers, ratings, comments, flags, votes and
service visits), it measures

1. how long writing that history took, per table;
2. a full rebuild of the summary tables (`participation.metrics.rebuild.rebuild()`, in
   this process), with the rows it wrote;
3. over HTTP against the real server (`auftrag serve`, production settings, its own
   process, Redis for jobs so the web process runs no clock jobs), one keep-alive
   connection, one request at a time: the dashboard
   `GET /api/v1/municipalities/{slug}/metrics?period=…` and the comparison
   `GET /api/v1/metrics/compare?figure=…&period=…`, each request another municipality,
   period or figure, and the pages `/m/{slug}/figures` and `/figures` when they exist;
   the reference in the same round is `GET /api/v1/health` (one `SELECT 1` through the
   same stack). --rounds rounds of --requests each, alternating; the summary is the
   median of the rounds' p95 with the spread (min–max), its ratio to the 50 ms target and
   to health's p95 of the same round, and the CPU per request of the server and of its
   PostgreSQL backends (bench/cpu.py);
4. with the server stopped, the events per second the `metrics` consumer keeps up with:
   --events new records with their outbox events (signatures, first answers, ratings,
   service visits), written through the event writer, then the consumer run batch by
   batch until it is caught up. The reference in the same run: the bare upsert of the
   summary rows each batch changed (its cell and participant deltas, one transaction per
   batch, into copies of the tables as they were before), and their ratio. The copies
   must end equal to the consumer's tables: a check that the deltas are the whole story.

    .venv/bin/python bench/metrics.py                 # the full scale: ~10 minutes
    .venv/bin/python bench/metrics.py --quick         # 2 municipalities, 2,000 mandates
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cpu  # noqa: E402
import harness  # noqa: E402
import metrics_data  # noqa: E402
import rounds  # noqa: E402
from harness import log  # noqa: E402

TARGET_P95_MS = 50.0
HEALTH = "GET /api/v1/health (reference)"
# Figures of the comparison to cycle through, with the service type where per service.
COMPARED = (
    ("first_answer_days", None),
    ("promise_kept_share", None),
    ("completion_days", None),
    ("accepted_share", None),
    ("outcome_satisfaction", None),
    ("traceability_share", None),
    ("participants", None),
    ("signatures", None),
    ("moderation_decision_hours", None),
    ("service_duration_days", metrics_data.SERVICES[0][0]),
    ("service_satisfaction", metrics_data.SERVICES[1][0]),
    ("invitation_conversion_share", metrics_data.SERVICES[2][0]),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Rebuild, dashboard and comparison p95, and the metrics consumer's rate.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_metrics",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="Redis for the server's jobs (so its process runs no clock jobs); '' for none",
    )
    p.add_argument("--quick", action="store_true", help="a small smoke run of every step")
    p.add_argument("--rounds", type=int, help="rounds over all HTTP variants (default 5; quick 2)")
    p.add_argument("--requests", type=int, help="requests per variant and round (100; quick 20)")
    p.add_argument("--warmup", type=int, help="unmeasured requests per variant (20; quick 3)")
    p.add_argument("--events", type=int, help="outbox events for the consumer (3,000; quick 400)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    p.add_argument("--json", type=Path, help="write every figure as numbers to this file")
    args = p.parse_args(argv)
    quick = args.quick
    args.scale = metrics_data.QUICK if quick else metrics_data.FULL
    for name, full, small in (
        ("rounds", 5, 2), ("requests", 100, 20), ("warmup", 20, 3), ("events", 3_000, 400),
    ):  # fmt: skip
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    return args


# --- 1. the history ------------------------------------------------------------------------


def migrate(database_url: str) -> float:
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": harness.plain_dsn(database_url)}
    done = subprocess.run(
        [harness.AUFTRAG, "migrate"], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise SystemExit(f"auftrag migrate failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started


# --- 2. the rebuild ------------------------------------------------------------------------


def app_url(database_url: str) -> str:
    """The app's URL for this process, with room for statements longer than the app's 5 s."""
    return harness.plain_dsn(database_url) + "?command_timeout=3600&maxsize=4"


async def summary_rows(conn: asyncpg.Connection) -> dict[str, int]:
    return {
        table: await conn.fetchval(f"SELECT count(*) FROM {table}")
        for table in ("metric_cell", "metric_participant", "metric_fact")
    }


async def rebuild(database_url: str) -> float | None:
    """Seconds of a full rebuild, None when the app has none yet."""
    from participation import db

    try:
        from participation.metrics.rebuild import rebuild as run_rebuild
    except ImportError:
        log("participation.metrics.rebuild is not there yet: rebuild skipped")
        return None
    await db.init(app_url(database_url))
    try:
        started = time.perf_counter()
        await run_rebuild()
        return time.perf_counter() - started
    finally:
        await db.close()


# --- 3. HTTP -------------------------------------------------------------------------------


def periods(now: datetime) -> list[str]:
    """A month, a quarter and a year that are over, and the rolling year."""
    local = now.astimezone(metrics_data.ZONE)
    last_month = (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    quarter = (local.month - 1) // 3
    quarter_year, quarter = (local.year, quarter) if quarter else (local.year - 1, 4)
    return [last_month, f"{quarter_year}-Q{quarter}", str(local.year - 1), "last-12-months"]


@dataclass
class Variant:
    label: str
    paths: list[str]
    timings: list[list[float]]
    costs: list[tuple[float, float, float]]  # per round: server ms, PostgreSQL ms, noise %
    by_path: dict[str, list[float]] = field(default_factory=dict)


def variants(generated: metrics_data.Generated, departments: dict[str, int]) -> list[Variant]:
    slugs = [t.slug for t in generated.towns]
    spans = periods(generated.now)
    dashboards = [
        f"/api/v1/municipalities/{slug}/metrics?period={period}"
        for period in spans
        for slug in slugs
    ]
    by_department = [
        f"/api/v1/municipalities/{slug}/metrics?period={period}&department={departments[slug]}"
        for period in spans
        for slug in slugs
    ]
    comparisons = [
        f"/api/v1/metrics/compare?figure={figure}&period={period}"
        + (f"&service_type={service}" if service else "")
        for period in spans
        for figure, service in COMPARED
    ]
    pages = [f"/m/{slug}/figures?period={period}" for period in spans for slug in slugs]
    compare_pages = [
        f"/figures?figure={figure}&period={period}"
        + (f"&service_type={service}" if service else "")
        for period in spans
        for figure, service in COMPARED
    ]
    return [
        Variant(label, paths, [], [])
        for label, paths in (
            ("dashboard (API)", dashboards),
            ("dashboard by department (API)", by_department),
            ("comparison (API)", comparisons),
            ("dashboard page /m/{slug}/figures", pages),
            ("comparison page /figures", compare_pages),
            (HEALTH, ["/api/v1/health"]),
        )
    ]


async def usable(client: httpx.AsyncClient, variant: Variant) -> str | None:
    """Why the variant cannot be measured (the app does not answer it yet), or None."""
    for path in variant.paths:
        response = await client.get(path)
        if response.status_code != 200:
            return f"{path} answered {response.status_code}"
    return None


async def measure_http(
    args: argparse.Namespace, server: harness.Server, chosen: list[Variant]
) -> dict[str, str]:
    """Every usable variant, --rounds times --requests each, alternating."""
    admin, name = harness.split_database_url(args.database_url)
    assert server.proc is not None
    skipped: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        for variant in chosen:
            reason = await usable(client, variant)
            if reason:
                skipped[variant.label] = reason
                log(f"skipping {variant.label}: {reason}")
        measured = [v for v in chosen if v.label not in skipped]
        for variant in measured:
            for n in range(args.warmup):
                (await client.get(variant.paths[n % len(variant.paths)])).raise_for_status()
        for r in range(args.rounds):
            for variant in measured:
                times = []
                async with cpu.CpuMeter(admin, name, server.proc.pid) as meter:
                    for n in range(args.requests):
                        path = variant.paths[(r * args.requests + n) % len(variant.paths)]
                        t0 = time.perf_counter()
                        response = await client.get(path)
                        times.append((time.perf_counter() - t0) * 1000)
                        response.raise_for_status()
                        variant.by_path.setdefault(path, []).append(times[-1])
                used = meter.usage
                assert used is not None
                variant.timings.append(times)
                variant.costs.append(
                    (
                        cpu.ms_per(used.server, args.requests),
                        cpu.ms_per(used.postgres, args.requests),
                        used.percent("other"),
                    )
                )
            log(f"HTTP round {r + 1}/{args.rounds} done")
    return skipped


def http_table(chosen: list[Variant]) -> tuple[str, dict[str, dict[str, float]]]:
    health = next(v for v in chosen if v.label == HEALTH)
    rows = []
    numbers: dict[str, dict[str, float]] = {}
    for variant in chosen:
        if not variant.timings:
            continue
        p50s = [harness.percentile(t, 50) for t in variant.timings]
        p95s = [harness.percentile(t, 95) for t in variant.timings]
        ratios = [
            p95 / harness.percentile(h, 95) for p95, h in zip(p95s, health.timings, strict=True)
        ]
        server_ms, postgres_ms, noise = ([c[i] for c in variant.costs] for i in range(3))
        numbers[variant.label] = {
            "p50_ms": rounds.median(p50s),
            "p95_ms": rounds.median(p95s),
            "p95_min_ms": min(p95s),
            "p95_max_ms": max(p95s),
            "p95_per_health": rounds.median(ratios),
            "server_cpu_ms": rounds.median(server_ms),
            "postgres_cpu_ms": rounds.median(postgres_ms),
        }
        rows.append(
            [
                variant.label,
                len(variant.paths),
                f"{rounds.median(p50s):.2f}",
                rounds.spread(p95s, 2),
                f"{rounds.median(p95s) / TARGET_P95_MS:.2f}",
                rounds.spread(ratios, 1),
                rounds.spread(server_ms, 2),
                rounds.spread(postgres_ms, 2),
                rounds.spread(noise, 0),
            ]
        )
    headers = [
        "request", "urls", "p50 ms", "p95 ms (min–max)", "p95 / 50 ms", "p95 / health",
        "srv CPU ms/req", "pg CPU ms/req", "noise % core",
    ]  # fmt: skip
    return harness.table(headers, rows), numbers


def slowest(chosen: list[Variant], count: int = 4) -> str:
    """Per request kind, the URLs with the highest median: which figure or page costs."""
    lines = []
    for variant in chosen:
        if len(variant.paths) < 2 or not variant.by_path:
            continue
        medians = sorted(
            (
                (statistics.median(t), harness.percentile(t, 95), p)
                for p, t in variant.by_path.items()
            ),
            reverse=True,
        )
        fastest = medians[-1]
        lines.append(f"   {variant.label}: fastest {fastest[0]:.1f} ms ({fastest[2]}); slowest")
        lines.extend(
            f"     {m:7.1f} ms median, {p95:7.1f} p95  {path}" for m, p95, path in medians[:count]
        )
    return "\n".join(lines)


# --- 4. the consumer -----------------------------------------------------------------------


CELL_KEY = ("municipality_id", "department_id", "service_type", "month", "measure", "value")
PARTICIPANT_KEY = ("municipality_id", "month", "person")


async def snapshot(
    conn: asyncpg.Connection, since: str
) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """Every cell, and the participants of the months from `since` on: the events are of
    today, and a participant row is of the month its contribution was made (a million
    rows of earlier months would only slow the snapshot; `copies_agree` checks them all)."""
    cells = {
        tuple(r[k] for k in CELL_KEY): r["count"]
        for r in await conn.fetch(f"SELECT {', '.join(CELL_KEY)}, count FROM metric_cell")
    }
    people = {
        tuple(r[k] for k in PARTICIPANT_KEY): r["refs"]
        for r in await conn.fetch(
            f"SELECT {', '.join(PARTICIPANT_KEY)}, refs FROM metric_participant WHERE month >= $1",
            since,
        )
    }
    return cells, people


def delta(before: dict[tuple, int], after: dict[tuple, int]) -> list[tuple]:
    """The rows whose count changed, with the change."""
    return [
        (*key, after.get(key, 0) - before.get(key, 0))
        for key in before.keys() | after.keys()
        if after.get(key, 0) != before.get(key, 0)
    ]


@dataclass
class ConsumerRun:
    events: int
    kinds: dict[str, int]
    consumer_seconds: float
    batches: int
    cell_rows: int
    participant_rows: int
    reference_seconds: float
    agree: bool

    @property
    def consumer_rate(self) -> float:
        return self.events / self.consumer_seconds

    @property
    def reference_rate(self) -> float:
        return self.events / self.reference_seconds


UPSERT_CELLS = (
    "INSERT INTO bench_metric_cell (municipality_id, department_id, service_type, month, "
    "measure, value, count) SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], "
    "$5::text[], $6::int[], $7::int[]) "
    "ON CONFLICT (municipality_id, department_id, service_type, month, measure, value) "
    "DO UPDATE SET count = bench_metric_cell.count + EXCLUDED.count"
)
UPSERT_PEOPLE = (
    "INSERT INTO bench_metric_participant (municipality_id, month, person, refs) "
    "SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[]) "
    "ON CONFLICT (municipality_id, month, person) "
    "DO UPDATE SET refs = bench_metric_participant.refs + EXCLUDED.refs"
)


def columns(rows: list[tuple], width: int) -> list[list[object]]:
    return [[row[i] for row in rows] for i in range(width)]


async def reference_upserts(
    conn: asyncpg.Connection, batches: list[tuple[list[tuple], list[tuple]]]
) -> float:
    """The consumer's per-batch deltas upserted into copies of the tables, timed."""
    started = time.perf_counter()
    for cells, people in batches:
        async with conn.transaction():
            if cells:
                await conn.execute(UPSERT_CELLS, *columns(cells, 7))
            if people:
                await conn.execute(UPSERT_PEOPLE, *columns(people, 4))
    return time.perf_counter() - started


async def copies_agree(conn: asyncpg.Connection) -> bool:
    """The copies hold what the consumer's tables hold (rows with nothing counted aside)."""
    for table, key, measure in (
        ("metric_cell", CELL_KEY, "count"),
        ("metric_participant", PARTICIPANT_KEY, "refs"),
    ):
        keys = ", ".join(key)
        differs = await conn.fetchval(
            f"SELECT count(*) FROM ((SELECT {keys}, {measure} FROM {table} WHERE {measure} <> 0 "
            f"EXCEPT SELECT {keys}, {measure} FROM bench_{table} WHERE {measure} <> 0) UNION ALL "
            f"(SELECT {keys}, {measure} FROM bench_{table} WHERE {measure} <> 0 "
            f"EXCEPT SELECT {keys}, {measure} FROM {table} WHERE {measure} <> 0)) AS d"
        )
        if differs:
            log(f"{table}: {differs} rows differ between the consumer and the reference")
            return False
    return True


async def consumer_run(
    args: argparse.Namespace, generated: metrics_data.Generated
) -> ConsumerRun | None:
    """Write --events events with their records, then time the consumer and the reference."""
    from participation import db
    from participation.outbox import consumers

    await db.init(app_url(args.database_url))
    try:
        metrics = next((c for c in consumers.registered() if c.name == "metrics"), None)
        if metrics is None:
            log("no outbox consumer named 'metrics' yet: the consumer run is skipped")
            return None
        conn = await harness.connect(harness.plain_dsn(args.database_url))
        try:
            runner = consumers.Runner(metrics)
            # Whatever the outbox already held (none from the generator) is not measured.
            while await runner.run_once():
                pass
            kinds = await metrics_data.write_events(conn, generated, args.events, args.seed)
            log(f"{args.events:,} events written: {kinds}")
            await conn.execute(
                "DROP TABLE IF EXISTS bench_metric_cell, bench_metric_participant; "
                "CREATE TABLE bench_metric_cell (LIKE metric_cell INCLUDING ALL); "
                "CREATE TABLE bench_metric_participant (LIKE metric_participant INCLUDING ALL); "
                "INSERT INTO bench_metric_cell SELECT * FROM metric_cell; "
                "INSERT INTO bench_metric_participant SELECT * FROM metric_participant; "
                "ANALYZE bench_metric_cell, bench_metric_participant"
            )
            since = (datetime.now(metrics_data.ZONE).replace(day=1) - timedelta(days=1)).strftime(
                "%Y-%m"
            )
            before = await snapshot(conn, since)
            batches: list[tuple[list[tuple], list[tuple]]] = []
            elapsed = 0.0
            handled = 0
            while True:
                started = time.perf_counter()
                got = await runner.run_once()
                elapsed += time.perf_counter() - started
                if not got:
                    break
                handled += got
                after = await snapshot(conn, since)
                batches.append((delta(before[0], after[0]), delta(before[1], after[1])))
                before = after
            reference = await reference_upserts(conn, batches)
            agree = await copies_agree(conn)
            await conn.execute("DROP TABLE bench_metric_cell, bench_metric_participant")
        finally:
            await conn.close()
    finally:
        await db.close()
    if handled < args.events:
        log(f"the consumer handled {handled:,} of {args.events:,} events")
    return ConsumerRun(
        events=handled,
        kinds=kinds,
        consumer_seconds=elapsed,
        batches=len(batches),
        cell_rows=sum(len(c) for c, _ in batches),
        participant_rows=sum(len(p) for _, p in batches),
        reference_seconds=reference,
        agree=agree,
    )


# --- the run -------------------------------------------------------------------------------


async def departments_of(conn: asyncpg.Connection) -> dict[str, int]:
    """Each municipality's department with the most mandates."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (m.slug) m.slug, d.id FROM department d "
        "JOIN municipality m ON m.id = d.municipality_id "
        "ORDER BY m.slug, (SELECT count(*) FROM mandate WHERE department_id = d.id) DESC"
    )
    return {r["slug"]: r["id"] for r in rows}


def load() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    scale: metrics_data.Scale = args.scale
    dsn = harness.plain_dsn(args.database_url)
    report: dict[str, object] = {
        "scale": scale.__dict__,
        "app": harness.describe_app(None),
        "load_at_start": load(),
    }
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    server = harness.Server(args.database_url, redis_url=args.redis_url or None)
    os.environ["SECRET_KEY"] = server.secret_key
    chosen: list[Variant] = []
    skipped: dict[str, str] = {}
    try:
        migrated = migrate(args.database_url)
        log(f"auftrag migrate: {migrated:.1f}s")
        conn = await harness.connect(dsn)
        try:
            log(
                f"writing {scale.municipalities} municipalities, {scale.mandates:,} mandates, "
                f"{scale.timeline_entries:,} timeline entries"
            )
            report["postgres"] = await conn.fetchval("SHOW server_version")
            generated = await metrics_data.generate(conn, scale, seed=args.seed)
            log(f"history written in {generated.total_seconds:.1f}s")
            rebuilt = await rebuild(args.database_url)
            summary = await summary_rows(conn) if rebuilt is not None else {}
            if rebuilt is not None:
                log(f"rebuild: {rebuilt:.1f}s, {summary}")
                await conn.execute("VACUUM (ANALYZE) metric_cell, metric_participant, metric_fact")
            departments = await departments_of(conn)
        finally:
            await conn.close()
        server.start()
        chosen = variants(generated, departments)
        skipped = await measure_http(args, server, chosen)
        server.stop()
        consumed = await consumer_run(args, generated) if rebuilt is not None else None
    finally:
        server.stop()
        if not args.keep_database:
            await harness.drop_database(args.database_url)

    print(
        f"\nPublic figures on PostgreSQL: {scale.municipalities} municipalities, "
        f"{scale.mandates:,} mandates, {scale.timeline_entries:,} timeline entries over "
        f"{scale.months} months; {report['app']}\n"
    )
    print("1. History written with COPY (after `auftrag migrate`, "
          f"{migrated:.1f}s): {generated.total_seconds:.1f}s in all\n")  # fmt: skip
    rows = [
        [table, f"{generated.rows[table]:,}", f"{generated.seconds[table]:.1f}"]
        for table in generated.rows
        if generated.rows[table] >= 1000
    ]
    rows.append(["VACUUM (ANALYZE)", "", f"{generated.seconds['vacuum analyze']:.1f}"])
    print(harness.table(["table", "rows", "seconds"], rows))
    report["generation"] = {"rows": generated.rows, "seconds": generated.seconds}

    print("\n2. Full rebuild (participation.metrics.rebuild.rebuild(), one process)\n")
    if rebuilt is None:
        print("   not measured: the app has no rebuild yet")
    else:
        print(
            f"   {rebuilt:.1f}s; rows written: "
            + ", ".join(f"{k} {v:,}" for k, v in summary.items())
        )
    report["rebuild"] = {"seconds": rebuilt, "rows": summary}

    print(
        f"\n3. Over HTTP, `auftrag serve`, one keep-alive connection, one request at a time; "
        f"{args.rounds} rounds × {args.requests} requests per request kind, alternating; "
        f"each request another municipality, period ({', '.join(periods(generated.now))}) "
        "or figure\n"
    )
    text, numbers = http_table(chosen)
    print(text)
    for label, reason in skipped.items():
        print(f"   not measured: {label} ({reason})")
    print("\n" + slowest(chosen) + "\n")
    for label in ("dashboard (API)", "comparison (API)"):
        if label in numbers:
            p95 = numbers[label]["p95_ms"]
            verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
            print(f"   target p95 < {TARGET_P95_MS:.0f} ms, {label}: {verdict} ({p95:.1f} ms)")
    report["http"] = {"numbers": numbers, "skipped": skipped}

    print("\n4. The metrics consumer, against the bare upsert of the rows it changed\n")
    if consumed is None:
        print("   not measured: the app has no metrics consumer (or no rebuild) yet")
    else:
        print(
            harness.table(
                ["events", "mix", "batches", "consumer ev/s", "cell rows", "participant rows",
                 "bare upsert ev/s", "consumer / bare", "same rows"],
                [[
                    f"{consumed.events:,}",
                    " ".join(f"{k} {v}" for k, v in consumed.kinds.items()),
                    consumed.batches,
                    f"{consumed.consumer_rate:,.0f}",
                    f"{consumed.cell_rows:,}",
                    f"{consumed.participant_rows:,}",
                    f"{consumed.reference_rate:,.0f}",
                    f"{consumed.consumer_rate / consumed.reference_rate:.3f}",
                    "yes" if consumed.agree else "NO",
                ]],
            )
        )  # fmt: skip
        report["consumer"] = {**consumed.__dict__, "consumer_rate": consumed.consumer_rate,
                              "reference_rate": consumed.reference_rate}  # fmt: skip
    print(
        f"\nPostgreSQL {report['postgres']}, {os.cpu_count()} CPUs; load average (1, 5, 15 min) "
        f"at the start {report['load_at_start']}, at the end {load()}"
    )
    if args.json:
        rounds.write_json(args.json, report)
    if consumed is not None and not consumed.agree:
        return 1
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
