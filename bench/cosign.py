"""The viral case: N clients co-sign THE SAME mandate, each as a different verified user.

For each N (default 16, 64, 256 concurrent connections) and each of `--repeat` rounds,
against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, as a subprocess), one after the other:

* full stack: wrk (1 thread by default, so the load generator leaves the server its
  CPU) with bench/cosign.lua on a fresh mandate, every request
  `POST /api/v1/mandates/{id}/signatures` with a bearer token no other request sends,
  in this round or any other or the warm-up (bench/tokens.py); signatures/s counts
  only 201s. Meanwhile a sampler compares the API's `signature_count` with the rows;
* the reference: pgbench with bench/cosign.sql — the server's signing statement for one
  signer (insert, counter shard +1, outbox row) — at the same concurrency N into a
  second mandate (bench/pgbench.py);
* the floor: `GET /api/v1/health` (one `SELECT 1` through the same stack) with wrk at N.

CPU is counted only for the server's processes and the PostgreSQL backends of the
benchmark's database (bench/cpu.py). Each ratio is taken within its round; the summary
is the median of the rounds with the spread (min–max). Server CPU per co-signature
beside server CPU per health request, from the same round, is the figure that moves
least with the machine's noise. Everything is bounded in time; the database and the
server are removed at exit.

    /work/venv/bin/python bench/cosign.py [--workers 1,2] [--duration 5] [--connections 16,64,256]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu  # noqa: E402
import harness  # noqa: E402
import pgbench  # noqa: E402
import rounds  # noqa: E402
from harness import log  # noqa: E402
from tokens import TokenPool  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "cosign.lua"
REFERENCE_SCRIPT = HERE / "cosign.sql"
TARGET_RATE = 1500.0
TARGET_RATIO = 0.5
SLUG = "bench-cosign"
# Far beyond anything a run reaches, so the quorum never ends the collecting phase.
QUORUM = 10_000_000
ROWS_SQL = "SELECT count(*) FROM signature WHERE mandate_id = $1"
SHARDS_SQL = "SELECT COALESCE(SUM(count), 0) FROM signature_count WHERE mandate_id = $1"
SNAPSHOT_LAG_SQL = (
    "SELECT (SELECT count(*) FROM signature WHERE mandate_id = $1) - "
    "(SELECT COALESCE(SUM(count), 0) FROM signature_count WHERE mandate_id = $1)"
)


@dataclass
class Round:
    connections: int
    workers: int
    full_rate: float  # 201 responses per second
    p50_ms: float
    p99_ms: float
    created: int  # 201 responses
    rows: int  # signature rows the server wrote in the run (minus the initiator's)
    already: int
    non_2xx: int
    socket_errors: int
    exhausted: bool
    lag_api_lower: int  # largest rows - API count while running, rows counted before the GET
    lag_api_upper: int  # the same with rows counted after the GET
    lag_db: int  # largest rows - shards in one-statement snapshots
    lag_after: int  # rows - API count right after wrk finished
    lag_idle: int  # the same a second later
    server_ms: float  # server CPU ms per co-signature
    pg_ms: float  # CPU ms per co-signature of the backends serving the server
    noise: float  # CPU of everything else during the full-stack run, % of one core
    raw_clients: int  # pgbench's clients: N unless PostgreSQL has too few connections
    raw_rate: float  # pgbench transactions per second
    raw_latency_ms: float
    raw_repeats: int  # pgbench transactions that wrote nothing (user ids wrapped around)
    raw_failed: int
    raw_pg_ms: float  # CPU ms per signature of pgbench's backends
    health_rate: float  # GET /api/v1/health per second at the same N
    health_p50_ms: float
    health_server_ms: float  # server CPU ms per health request

    @property
    def full_raw(self) -> float:
        return self.full_rate / self.raw_rate if self.raw_rate else float("nan")

    @property
    def full_health(self) -> float:
        return self.full_rate / self.health_rate if self.health_rate else float("nan")

    @property
    def cpu_ratio(self) -> float:
        """Server CPU of a co-signature in health requests: what the comparison rests on."""
        return self.server_ms / self.health_server_ms if self.health_server_ms else float("nan")

    def as_json(self) -> dict[str, object]:
        return {
            **asdict(self),
            "full_raw": self.full_raw,
            "full_health": self.full_health,
            "cpu_ratio": self.cpu_ratio,
        }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Co-signing throughput through the full stack vs. pgbench.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="Redis for --workers > 1 (the live bus across processes)",
    )
    p.add_argument(
        "--workers",
        default="1",
        help="uvicorn worker processes; a comma list (e.g. 1,2) runs each and compares",
    )
    p.add_argument("--connections", default="16,64,256", help="comma list of N")
    p.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per server")
    p.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds per N (full stack, reference, health each time); the summary is the "
        "median with the spread",
    )
    p.add_argument("--threads", type=int, default=1, help="wrk and pgbench threads (1-2)")
    p.add_argument(
        "--pool-max",
        type=int,
        default=None,
        help="server asyncpg pool maxsize per worker; unset keeps the app's default (20)",
    )
    p.add_argument(
        "--rate-guess",
        type=float,
        default=3000.0,
        help="co-signatures/s to mint tokens for before the first run; later runs mint "
        "for the fastest rate seen, with a margin",
    )
    p.add_argument(
        "--reference-users",
        type=int,
        default=0,
        help="users pgbench signs as (ids wrap around past them); 0: 10,000 per second of "
        "--duration",
    )
    p.add_argument(
        "--no-health",
        dest="health",
        action="store_false",
        help="skip the floor run: GET /api/v1/health (one SELECT 1) at the same N",
    )
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument(
        "--app-dir",
        type=Path,
        default=None,
        help="serve the app from another checkout (put first on PYTHONPATH), for A/B runs",
    )
    p.add_argument("--json", type=Path, default=None, help="also write every round here")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.worker_list = [int(w) for w in str(args.workers).split(",") if w.strip()]
    args.connection_list = [int(c) for c in args.connections.split(",") if c.strip()]
    if not args.reference_users:
        args.reference_users = int(10_000 * args.duration)
    if not 1 <= args.threads <= 2:
        p.error("--threads must be 1 or 2: the load generator must not starve the server")
    return args


async def sample_lag(
    base: str, mandate_id: int, dsn: str, stop: asyncio.Event, interval: float = 0.25
) -> dict[str, int]:
    """While `stop` is unset: how far the shown count trails the rows."""
    api_lower: list[int] = []
    api_upper: list[int] = []
    db_lag: list[int] = []
    conn = await harness.connect(dsn)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while not stop.is_set():
                db_lag.append(await conn.fetchval(SNAPSHOT_LAG_SQL, mandate_id))
                before = await conn.fetchval(ROWS_SQL, mandate_id)
                response = await client.get(f"/api/v1/mandates/{mandate_id}")
                after = await conn.fetchval(ROWS_SQL, mandate_id)
                shown = response.json()["signature_count"]
                api_lower.append(before - shown)
                api_upper.append(after - shown)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval)
    finally:
        await conn.close()
    return {
        "api_lower": max(api_lower, default=0),
        "api_upper": max(api_upper, default=0),
        "db": max(db_lag, default=0),
        "samples": len(db_lag),
    }


async def settled_lag(base: str, mandate_id: int, conn: asyncpg.Connection) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.get(f"/api/v1/mandates/{mandate_id}")
    return await conn.fetchval(ROWS_SQL, mandate_id) - response.json()["signature_count"]


@dataclass
class Bench:
    """What every round of one server needs."""

    args: argparse.Namespace
    server: harness.Server
    conn: asyncpg.Connection
    initiator_token: str
    pool: TokenPool
    reference_users: range

    def meter(self) -> cpu.CpuMeter:
        admin, name = harness.split_database_url(self.args.database_url)
        assert self.server.proc is not None
        return cpu.CpuMeter(admin, name, self.server.proc.pid)

    async def cosign(self, mandate: int, n: int, duration: float, start: int) -> harness.WrkResult:
        """One wrk run of co-signatures from token line `start` on (see TokenPool.ensure)."""
        path = f"/api/v1/mandates/{mandate}/signatures"
        result = await harness.run_wrk(
            self.server.base,
            SCRIPT,
            [str(self.pool.file), str(min(self.args.threads, n)), path, str(start)],
            connections=n,
            threads=self.args.threads,
            duration=duration,
        )
        self.pool.used(result, start)
        return result


async def full_stack(bench: Bench, n: int) -> tuple[harness.WrkResult, dict, cpu.Usage, int]:
    args, server = bench.args, bench.server
    mandate = harness.create_published_mandate(
        server.base, bench.initiator_token, SLUG, f"Viral N={n} w={server.workers}"
    )
    # Minting happens here, before the meter starts.
    start = await bench.pool.ensure(args.duration, n)
    log(f"N={n}: wrk -t{args.threads} -c{n} -d{args.duration:g}s co-signing mandate {mandate}")
    stop = asyncio.Event()
    sampler = asyncio.create_task(
        sample_lag(server.base, mandate, harness.plain_dsn(args.database_url), stop)
    )
    try:
        async with bench.meter() as meter:
            result = await bench.cosign(mandate, n, args.duration, start)
    finally:
        stop.set()
        lag = await sampler
    assert meter.usage is not None
    return result, lag, meter.usage, mandate


async def reference(bench: Bench, n: int) -> tuple[pgbench.Reference, int]:
    """pgbench's run and the signature rows it wrote."""
    args, server, conn = bench.args, bench.server, bench.conn
    mandate = harness.create_published_mandate(
        server.base, bench.initiator_token, SLUG, f"Reference N={n} w={server.workers}"
    )
    log(f"N={n}: pgbench -c{n} -T{args.duration:g} {REFERENCE_SCRIPT.name} into mandate {mandate}")
    users = bench.reference_users

    async def signed() -> int:
        return await conn.fetchval(SHARDS_SQL, mandate)

    ref = await pgbench.run(
        harness.plain_dsn(args.database_url),
        REFERENCE_SCRIPT,
        {"mandate_id": mandate, "first_user": users.start, "users": len(users),
         "event": "mandates:signature:created"},
        clients=n,
        threads=args.threads,
        duration=args.duration,
        meter=bench.meter,
        count=signed,
    )  # fmt: skip
    return ref, await conn.fetchval(ROWS_SQL, mandate) - 1


async def run_round(bench: Bench, n: int) -> Round:
    args, conn = bench.args, bench.conn
    result, lag, usage, mandate = await full_stack(bench, n)
    lag_after = await settled_lag(bench.server.base, mandate, conn)
    await asyncio.sleep(1.0)
    lag_idle = await settled_lag(bench.server.base, mandate, conn)
    rows = await conn.fetchval(ROWS_SQL, mandate) - 1
    seconds = result["duration_us"] / 1e6
    created = int(result["created"])
    full_rate = created / seconds
    socket_errors = int(
        result["connect_errors"] + result["read_errors"] + result["write_errors"]
        + result["timeouts"]
    )  # fmt: skip
    log(
        f"N={n}: {created} created in {seconds:.2f}s = {full_rate:.0f}/s, "
        f"p50 {result['p50_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms, "
        f"server {cpu.ms_per(usage.server, created):.3f} ms CPU each; "
        f"lag samples {lag['samples']}"
    )
    ref, ref_rows = await reference(bench, n)
    raw_pg_ms = cpu.ms_per(ref.usage.postgres, ref.window_work)
    log(
        f"N={n}: pgbench -c{ref.clients} {ref.rate:.0f}/s, {ref.latency_ms:.1f} ms avg, "
        f"pg {raw_pg_ms:.3f} ms CPU"
    )
    floor = harness.Health(float("nan"), float("nan"), float("nan"))
    if args.health:
        floor = await harness.measure_health(
            bench.server, args.database_url, connections=n, threads=args.threads,
            duration=args.duration,
        )  # fmt: skip
        log(
            f"N={n}: GET /api/v1/health {floor.rate:.0f}/s, p50 {floor.p50_ms:.1f} ms, "
            f"server {floor.server_ms:.3f} ms CPU each"
        )
    return Round(
        connections=n,
        workers=bench.server.workers,
        full_rate=full_rate,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        created=created,
        rows=rows,
        already=int(result["already"]),
        non_2xx=int(result["status_errors"] + result["other"]),
        socket_errors=socket_errors,
        exhausted=bool(result["exhausted"]),
        lag_api_lower=lag["api_lower"],
        lag_api_upper=lag["api_upper"],
        lag_db=lag["db"],
        lag_after=lag_after,
        lag_idle=lag_idle,
        server_ms=cpu.ms_per(usage.server, created),
        pg_ms=cpu.ms_per(usage.postgres, created),
        noise=usage.percent("other"),
        raw_clients=ref.clients,
        raw_rate=ref.rate,
        raw_latency_ms=ref.latency_ms,
        raw_repeats=ref.transactions - ref_rows,
        raw_failed=ref.failed,
        raw_pg_ms=raw_pg_ms,
        health_rate=floor.rate,
        health_p50_ms=floor.p50_ms,
        health_server_ms=floor.server_ms,
    )


async def warm_up(bench: Bench) -> None:
    if bench.args.warmup <= 0:
        return
    mandate = harness.create_published_mandate(
        bench.server.base, bench.initiator_token, SLUG, "Warm-up"
    )
    n = max(bench.args.connection_list)
    log(f"warm-up: {bench.args.warmup:g}s with {n} connections")
    start = await bench.pool.ensure(bench.args.warmup, n)
    await bench.cosign(mandate, n, bench.args.warmup, start)


def report(workers: int, args: argparse.Namespace, by_n: dict[int, list[Round]]) -> str:
    round_headers = [
        "N", "round", "full sig/s", "p50 ms", "p99 ms", "raw sig/s", "full/raw", "health/s",
        "full/health", "srv ms/sig", "srv ms/health", "sig/health cpu", "pg ms/sig",
        "raw pg ms/sig", "noise",
    ]  # fmt: skip
    round_cells = [
        [
            r.connections,
            k + 1,
            f"{r.full_rate:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.raw_rate:,.0f}",
            f"{r.full_raw:.3f}",
            f"{r.health_rate:,.0f}",
            f"{r.full_health:.3f}",
            f"{r.server_ms:.3f}",
            f"{r.health_server_ms:.3f}",
            f"{r.cpu_ratio:.2f}",
            f"{r.pg_ms:.3f}",
            f"{r.raw_pg_ms:.3f}",
            f"{r.noise:.0f}%",
        ]
        for n, rs in by_n.items()
        for k, r in enumerate(rs)
    ]
    summary_headers = [
        "N", "full sig/s", "raw sig/s", "full/raw", "full/health", "srv ms/sig",
        "srv ms/health", "sig/health cpu", "noise",
    ]  # fmt: skip
    summary_cells = [
        [
            n,
            rounds.spread([r.full_rate for r in rs]),
            rounds.spread([r.raw_rate for r in rs]),
            rounds.spread([r.full_raw for r in rs], 3),
            rounds.spread([r.full_health for r in rs], 3),
            rounds.spread([r.server_ms for r in rs], 3),
            rounds.spread([r.health_server_ms for r in rs], 3),
            rounds.spread([r.cpu_ratio for r in rs], 2),
            rounds.spread([r.noise for r in rs], 0, "%"),
        ]
        for n, rs in by_n.items()
    ]
    check_headers = [
        "N", "lag run db", "lag run api", "lag after", "lag idle", "non-2xx", "sock err",
        "pgbench -c", "raw repeats", "raw failed",
    ]  # fmt: skip
    check_cells = [
        [
            n,
            max(r.lag_db for r in rs),
            f"{max(r.lag_api_lower for r in rs)}..{max(r.lag_api_upper for r in rs)}",
            max(r.lag_after for r in rs),
            max(r.lag_idle for r in rs),
            sum(r.non_2xx for r in rs),
            sum(r.socket_errors for r in rs),
            min(r.raw_clients for r in rs),
            sum(r.raw_repeats for r in rs),
            sum(r.raw_failed for r in rs),
        ]
        for n, rs in by_n.items()
    ]
    lines = [
        "",
        f"== co-sign the same mandate: --workers {workers}, pool maxsize "
        f"{args.pool_max or 20}/worker, wrk and pgbench -t{args.threads}, {args.duration:g}s "
        f"per run, {max(1, args.repeat)} rounds, {harness.describe_app(args.app_dir)} ==",
        "",
        "median of the rounds (min–max):",
        harness.table(summary_headers, summary_cells),
        "",
        "every round:",
        harness.table(round_headers, round_cells),
        "",
        "full sig/s: 201 responses per second, each request with a token never sent before",
        "raw sig/s: pgbench running the server's signing statement for one signer (insert, "
        "shard +1, outbox row) at the same N; full/raw and full/health within each round",
        "health/s: GET /api/v1/health (one SELECT 1) at the same N, the stack's floor",
        "srv ms/sig, srv ms/health: server CPU milliseconds per co-signature and per health "
        "request; sig/health cpu: their ratio, a co-signature in health requests",
        "pg ms/sig, raw pg ms/sig: CPU ms per signature of the PostgreSQL backends serving "
        "the server / pgbench (only the benchmark database's)",
        "noise: CPU of everything else on the machine during the full-stack run, % of one core",
        "",
        "checks (worst or sum over the rounds):",
        harness.table(check_headers, check_cells),
        "",
        "lag run db:  max of (rows - sum of counter shards) in one-statement snapshots",
        "lag run api: max of (rows - GET signature_count), rows counted before..after the GET",
        "lag after / idle: rows - GET signature_count right after wrk ended / one second later",
        "pgbench -c: its clients, N unless PostgreSQL's max_connections leaves fewer",
        "raw repeats: pgbench transactions past its block of users (wrapped, wrote nothing)",
        "",
    ]
    for n, rs in by_n.items():
        rate = rounds.median(r.full_rate for r in rs)
        ratio = rounds.median(r.full_raw for r in rs)
        clean = all(r.non_2xx == 0 and r.socket_errors == 0 for r in rs)
        lines.append(
            f"N={n:>3}: rate {rate:,.0f}/s >= {TARGET_RATE:,.0f}: "
            f"{'MET' if rate >= TARGET_RATE else 'NOT MET'}; ratio {ratio:.2f} >= "
            f"{TARGET_RATIO}: {'MET' if ratio >= TARGET_RATIO else 'NOT MET'}; non-2xx and "
            f"socket errors: {'OK' if clean else 'NOT OK'} (medians)"
            + ("; TOKEN BUDGET EXHAUSTED" if any(r.exhausted for r in rs) else "")
            + (
                f"; {sum(r.already for r in rs)} repeated signatures (200)"
                if any(r.already for r in rs)
                else ""
            )
        )
        for k, r in enumerate(rs):
            # Requests cut off when wrk stops may still commit: rows may exceed 201s by <= N.
            if not 0 <= r.rows - r.created <= r.connections:
                lines.append(
                    f"N={n:>3} round {k + 1}: INCONSISTENT: {r.rows} new signature rows but "
                    f"{r.created} responses were 201 ({r.already} said 'already signed' = 200)"
                )
    return "\n".join(lines)


async def serve_and_measure(
    args: argparse.Namespace, workers: int, workdir: Path
) -> dict[int, list[Round]]:
    server = harness.Server(
        args.database_url,
        workers=workers,
        port=args.port,
        redis_url=args.redis_url if workers > 1 else None,
        pool_max=args.pool_max,
        app_dir=args.app_dir,
    )
    dsn = harness.plain_dsn(args.database_url)
    try:
        server.start()
        conn = await harness.connect(dsn)
        try:
            bench = await prepare(args, server, conn, workdir)
            await warm_up(bench)
            return {
                n: [await run_round(bench, n) for _ in range(max(1, args.repeat))]
                for n in args.connection_list
            }
        finally:
            await conn.close()
    finally:
        server.stop()


async def prepare(
    args: argparse.Namespace, server: harness.Server, conn: asyncpg.Connection, workdir: Path
) -> Bench:
    """The municipality, an initiator, pgbench's block of users and the token pool."""
    started = time.perf_counter()
    if not await conn.fetchval("SELECT 1 FROM municipality WHERE slug = $1", SLUG):
        await harness.create_municipality(conn, SLUG, QUORUM)
    prefix = f"w{server.workers}-"
    initiator = (await harness.create_users(conn, 1, prefix + "initiator"))[0]
    await harness.declare_residence(conn, [initiator], SLUG)
    initiator_token = (await harness.mint_tokens(conn, server.secret_key, [initiator]))[0]
    ids = await harness.create_users(conn, args.reference_users, prefix + "reference")
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise SystemExit("pgbench's users must have consecutive ids")
    pool = TokenPool(
        conn, server.secret_key, SLUG, workdir, prefix=prefix + "signer",
        rate_guess=args.rate_guess,
    )  # fmt: skip
    log(f"initiator and {len(ids):,} reference users in {time.perf_counter() - started:.1f}s")
    return Bench(args, server, conn, initiator_token, pool, range(ids[0], ids[0] + len(ids)))


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    workdir = Path(tempfile.mkdtemp(prefix="auftrag-cosign-"))
    reports: list[tuple[int, dict[int, list[Round]]]] = []
    try:
        for workers in args.worker_list:
            by_n = await serve_and_measure(args, workers, workdir)
            reports.append((workers, by_n))
            print(report(workers, args, by_n), flush=True)
    finally:
        harness.remove_tree(workdir)
        if args.keep_database:
            log("database kept (--keep-database)")
        else:
            await harness.drop_database(args.database_url)
            log("dropped the benchmark database")
    if args.json:
        rounds.write_json(
            args.json,
            {
                "benchmark": "cosign",
                "app": harness.describe_app(args.app_dir),
                "rounds": [r.as_json() for _, by_n in reports for rs in by_n.values() for r in rs],
            },
        )
    if len(reports) > 1:
        print("\n== workers compared (median full-stack signatures/s) ==")
        means = {
            w: statistics.mean(rounds.median(r.full_rate for r in rs) for rs in by_n.values())
            for w, by_n in reports
        }
        for workers, by_n in reports:
            rates = ", ".join(
                f"N={n}: {rounds.median(r.full_rate for r in rs):,.0f}" for n, rs in by_n.items()
            )
            print(f"--workers {workers}: {rates} (mean {means[workers]:,.0f})")
        print(f"best: --workers {max(means, key=lambda w: means[w])}")
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
