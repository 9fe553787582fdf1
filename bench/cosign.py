"""The viral case: N clients co-sign THE SAME mandate, each as a different verified user.

For each N (16, 64, 256 concurrent connections) this runs, against a fresh PostgreSQL
database and the real server (`auftrag serve`, production settings, as a subprocess):

* full stack: wrk (1 thread by default, so the load generator leaves the server its
  CPU) with bench/cosign.lua, every request `POST /api/v1/mandates/{id}/signatures`
  with a bearer token used once; signatures/s counts only 201s, p50/p99 from wrk;
* the count's lag: while wrk runs, samples the mandate's `signature_count` through
  `GET /api/v1/mandates/{id}` and the rows (`SELECT count(*) FROM signature …`), plus
  one-statement snapshots of rows minus counter shards; again right after the run;
* the reference: the same signature rows (same INSERT, one transaction each, N
  concurrent tasks, no HTTP) straight through asyncpg into a second mandate.

It prints one table per worker setting with the ratio full/raw and whether the
targets (>= 1,500 signatures/s, ratio >= 0.5) are met. Everything is bounded in time;
the database and the server are removed at exit.

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
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import log  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "cosign.lua"
READ_SCRIPT = HERE / "read.lua"
TARGET_RATE = 1500.0
TARGET_RATIO = 0.5
SLUG = "bench-cosign"
# Far beyond anything a run reaches, so the quorum never ends the collecting phase.
QUORUM = 10_000_000
SIGN_SQL = (
    "INSERT INTO signature (mandate_id, user_id, created_at, resident) "
    "VALUES ($1, $2, now(), false) "
    "ON CONFLICT (mandate_id, user_id) DO NOTHING RETURNING id"
)
ROWS_SQL = "SELECT count(*) FROM signature WHERE mandate_id = $1"
SNAPSHOT_LAG_SQL = (
    "SELECT (SELECT count(*) FROM signature WHERE mandate_id = $1) - "
    "(SELECT COALESCE(SUM(count), 0) FROM signature_count WHERE mandate_id = $1)"
)


@dataclass
class Row:
    connections: int
    full_rate: float  # 201 responses per second
    p50_ms: float
    p99_ms: float
    raw_rate: float
    raw_p50_ms: float
    raw_p99_ms: float
    lag_api_during: int  # largest lower bound of rows - API count while running
    lag_api_during_upper: int  # largest upper bound (the API call itself takes time)
    lag_db_during: int  # largest rows - shards in one statement snapshot
    lag_after: int  # rows - API count right after wrk finished
    lag_idle: int  # the same a second later
    non_2xx: int
    socket_errors: int
    created: int  # 201 responses
    rows: int  # signature rows the server wrote during the run (minus the initiator's)
    rows_rate: float
    cpu_full: dict[str, float]  # percent of one core, see harness.cpu_shares
    cpu_raw: dict[str, float]
    health_rate: float  # GET /api/v1/health per second at the same N: the stack's floor
    health_p50_ms: float
    already: int
    exhausted: bool


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Co-signing throughput through the full stack vs. raw asyncpg inserts.",
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
        default=2,
        help="rounds per N (full stack then raw each time); the table keeps the best of each, "
        "since on a shared machine noise only ever slows a run down",
    )
    p.add_argument("--threads", type=int, default=1, help="wrk threads (1-2 on 2 cores)")
    p.add_argument(
        "--pool-max",
        type=int,
        default=None,
        help="server asyncpg pool maxsize per worker; unset keeps the app's default (20)",
    )
    p.add_argument(
        "--raw-pool-max",
        type=int,
        default=0,
        help="largest asyncpg pool of the raw reference, which uses min(N, this); default: "
        "as many connections as the server's pools hold (pool maxsize x workers)",
    )
    p.add_argument(
        "--tokens",
        type=int,
        default=0,
        help="signers (users+tokens) to generate; 0 means 12,000 per second of --duration",
    )
    p.add_argument(
        "--no-health",
        dest="health",
        action="store_false",
        help="skip the ceiling run: GET /api/v1/health (one SELECT 1) at the same N",
    )
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument(
        "--app-dir",
        type=Path,
        default=None,
        help="serve the app from another checkout (put first on PYTHONPATH), for A/B runs",
    )
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.worker_list = [int(w) for w in str(args.workers).split(",") if w.strip()]
    args.connection_list = [int(c) for c in args.connections.split(",") if c.strip()]
    if not args.tokens:
        args.tokens = max(20_000, int(12_000 * args.duration))
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
    conn = await asyncpg.connect(dsn)
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


async def raw_reference(
    dsn: str,
    mandate_id: int,
    user_ids: list[int],
    concurrency: int,
    duration: float,
    pool: int,
    server_pid: int,
) -> tuple[float, float, float, dict[str, float]]:
    """Signatures/s, p50 and p99 (ms) of the bare INSERT, one transaction each; CPU use."""
    size = max(1, min(concurrency, pool))
    async with asyncpg.create_pool(dsn, min_size=size, max_size=size) as db:
        ids = iter(user_ids)
        latencies: list[float] = []
        inserted = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration

        async def client() -> None:
            nonlocal inserted
            while loop.time() < deadline:
                user_id = next(ids, None)
                if user_id is None:
                    return
                started = time.perf_counter()
                async with db.acquire() as conn:
                    rows = await conn.fetch(SIGN_SQL, mandate_id, user_id)
                latencies.append(time.perf_counter() - started)
                inserted += len(rows)

        cpu_before = harness.cpu_snapshot()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        # Before the pool closes, so its PostgreSQL backends are still there to be counted.
        cpu = harness.cpu_shares(cpu_before, harness.cpu_snapshot(), server_pid)
    return (
        inserted / elapsed,
        harness.percentile(latencies, 50) * 1000,
        harness.percentile(latencies, 99) * 1000,
        cpu,
    )


async def run_one(
    args: argparse.Namespace,
    server: harness.Server,
    conn: asyncpg.Connection,
    initiator_token: str,
    token_file: Path,
    user_ids: list[int],
    n: int,
) -> Row:
    dsn = harness.plain_dsn(args.database_url)
    mandate = harness.create_published_mandate(
        server.base, initiator_token, SLUG, f"Viral N={n} w={server.workers}"
    )
    reference = harness.create_published_mandate(
        server.base, initiator_token, SLUG, f"Raw N={n} w={server.workers}"
    )
    path = f"/api/v1/mandates/{mandate}/signatures"
    log(f"N={n}: wrk -t{args.threads} -c{n} -d{args.duration:g}s POST {path}")
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_lag(server.base, mandate, dsn, stop))
    cpu_before = harness.cpu_snapshot()
    try:
        result = await harness.run_wrk(
            server.base,
            SCRIPT,
            [str(token_file), str(min(args.threads, n)), path],
            connections=n,
            threads=args.threads,
            duration=args.duration,
        )
    finally:
        cpu_full = harness.cpu_shares(cpu_before, harness.cpu_snapshot(), server.proc.pid)
        stop.set()
        lag = await sampler
    lag_after = await settled_lag(server.base, mandate, conn)
    await asyncio.sleep(1.0)
    lag_idle = await settled_lag(server.base, mandate, conn)
    rows = await conn.fetchval(ROWS_SQL, mandate) - 1
    seconds = result["duration_us"] / 1e6
    full_rate = result["created"] / seconds
    socket_errors = int(
        result["connect_errors"] + result["read_errors"] + result["write_errors"]
        + result["timeouts"]
    )  # fmt: skip
    log(
        f"N={n}: {int(result['created'])} created in {seconds:.2f}s = {full_rate:.0f}/s, "
        f"p50 {result['p50_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms; "
        f"lag samples {lag['samples']}"
    )
    raw_pool = args.raw_pool_max or (args.pool_max or 20) * server.workers
    log(f"N={n}: raw asyncpg reference, {n} tasks, pool {min(n, raw_pool)}")
    raw_rate, raw_p50, raw_p99, cpu_raw = await raw_reference(
        dsn, reference, user_ids, n, args.duration, raw_pool, server.proc.pid
    )
    log(f"N={n}: raw {raw_rate:.0f}/s, p50 {raw_p50:.1f} ms, p99 {raw_p99:.1f} ms")
    health_rate = health_p50 = float("nan")
    if args.health:
        health = await harness.run_wrk(
            server.base,
            READ_SCRIPT,
            ["/api/v1/health", "-"],
            connections=n,
            threads=args.threads,
            duration=args.duration,
        )
        health_rate = health["requests"] / (health["duration_us"] / 1e6)
        health_p50 = health["p50_us"] / 1000
        log(f"N={n}: GET /api/v1/health {health_rate:.0f}/s, p50 {health_p50:.1f} ms")
    return Row(
        connections=n,
        full_rate=full_rate,
        p50_ms=result["p50_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
        raw_rate=raw_rate,
        raw_p50_ms=raw_p50,
        raw_p99_ms=raw_p99,
        lag_api_during=lag["api_lower"],
        lag_api_during_upper=lag["api_upper"],
        lag_db_during=lag["db"],
        lag_after=lag_after,
        lag_idle=lag_idle,
        non_2xx=int(result["status_errors"] + result["other"]),
        socket_errors=socket_errors,
        created=int(result["created"]),
        rows=rows,
        rows_rate=rows / seconds,
        cpu_full=cpu_full,
        cpu_raw=cpu_raw,
        health_rate=health_rate,
        health_p50_ms=health_p50,
        already=int(result["already"]),
        exhausted=bool(result["exhausted"]),
    )


async def warm_up(
    args: argparse.Namespace, server: harness.Server, token: str, token_file: Path
) -> None:
    if args.warmup <= 0:
        return
    mandate = harness.create_published_mandate(server.base, token, SLUG, "Warm-up")
    n = max(args.connection_list)
    log(f"warm-up: {args.warmup:g}s with {n} connections")
    await harness.run_wrk(
        server.base,
        SCRIPT,
        [str(token_file), str(min(args.threads, n)), f"/api/v1/mandates/{mandate}/signatures"],
        connections=n,
        threads=args.threads,
        duration=args.warmup,
    )


def best_of(rounds: list[Row]) -> Row:
    """The fastest full-stack round and the fastest raw round; errors and lags of all."""
    full = max(rounds, key=lambda r: r.full_rate)
    raw = max(rounds, key=lambda r: r.raw_rate)
    return replace(
        full,
        raw_rate=raw.raw_rate,
        raw_p50_ms=raw.raw_p50_ms,
        raw_p99_ms=raw.raw_p99_ms,
        cpu_raw=raw.cpu_raw,
        health_rate=max(r.health_rate for r in rounds),
        health_p50_ms=min(r.health_p50_ms for r in rounds),
        lag_api_during=max(r.lag_api_during for r in rounds),
        lag_api_during_upper=max(r.lag_api_during_upper for r in rounds),
        lag_db_during=max(r.lag_db_during for r in rounds),
        lag_after=max(r.lag_after for r in rounds),
        lag_idle=max(r.lag_idle for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
        already=sum(r.already for r in rounds),
        exhausted=any(r.exhausted for r in rounds),
    )


def _ms_per(share: float, rate: float) -> str:
    """CPU milliseconds per signature from a share in percent of one core and a rate."""
    return f"{share * 10 / rate:.2f}" if rate else "n/a"


def report(workers: int, args: argparse.Namespace, rows: list[Row]) -> str:
    headers = [
        "N", "full sig/s", "p50 ms", "p99 ms", "raw sig/s", "full/raw", "lag run db",
        "lag run api", "lag after", "lag idle", "non-2xx", "sock err",
    ]  # fmt: skip
    cells = [
        [
            r.connections,
            f"{r.full_rate:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.raw_rate:,.0f}",
            f"{r.full_rate / r.raw_rate:.2f}" if r.raw_rate else "n/a",
            r.lag_db_during,
            f"{r.lag_api_during}..{r.lag_api_during_upper}",
            r.lag_after,
            r.lag_idle,
            r.non_2xx,
            r.socket_errors,
        ]
        for r in rows
    ]
    detail_headers = [
        "N", "rows/s", "raw p50", "raw p99", "health/s", "full/health", "srv ms/sig",
        "pg ms/sig", "raw pg ms/sig", "raw drv ms/sig", "noise full", "noise raw",
    ]  # fmt: skip
    details = [
        [
            r.connections,
            f"{r.rows_rate:,.0f}",
            f"{r.raw_p50_ms:.1f}",
            f"{r.raw_p99_ms:.1f}",
            f"{r.health_rate:,.0f}" if r.health_rate == r.health_rate else "n/a",
            f"{r.full_rate / r.health_rate:.2f}" if r.health_rate == r.health_rate else "n/a",
            _ms_per(r.cpu_full["server"], r.full_rate),
            _ms_per(r.cpu_full["postgres"], r.full_rate),
            _ms_per(r.cpu_raw["postgres"], r.raw_rate),
            _ms_per(r.cpu_raw["driver"], r.raw_rate),
            f"{r.cpu_full['other']:.0f}%",
            f"{r.cpu_raw['other']:.0f}%",
        ]
        for r in rows
    ]
    lines = [
        "",
        f"== co-sign the same mandate: --workers {workers}, pool maxsize "
        f"{args.pool_max or 20}/worker, wrk -t{args.threads}, {args.duration:g}s per run, "
        f"best of {max(1, args.repeat)}, {harness.describe_app(args.app_dir)} ==",
        harness.table(headers, cells),
        "",
        "full sig/s: 201 responses per second; raw sig/s: the same INSERT straight through "
        "asyncpg, one transaction each, N tasks",
        "lag run db:  max of (rows - sum of counter shards) in one-statement snapshots during "
        "the run",
        "lag run api: max of (rows - GET signature_count) during the run, as lower..upper bound "
        "(rows counted just before and just after the GET)",
        "lag after / idle: rows - GET signature_count right after wrk ended / one second later",
        "",
        "diagnostics:",
        harness.table(detail_headers, details),
        "",
        "rows/s: signature rows the server wrote; health/s: GET /api/v1/health (one SELECT 1) "
        "at the same N, the stack's ceiling",
        "ms/sig: CPU milliseconds per signature of the server processes (srv), of PostgreSQL "
        "(pg) and of the raw clients (drv);",
        "        they move much less than rates when the machine is shared",
        "noise: CPU used by everything else on the machine (other people's work), in % of one "
        "core; high noise = slower rates",
        "",
    ]
    for r in rows:
        rate_ok = r.full_rate >= TARGET_RATE
        ratio = r.full_rate / r.raw_rate if r.raw_rate else 0.0
        ratio_ok = ratio >= TARGET_RATIO
        clean = r.non_2xx == 0 and r.socket_errors == 0
        lines.append(
            f"N={r.connections:>3}: rate {r.full_rate:,.0f}/s >= {TARGET_RATE:,.0f}: "
            f"{'MET' if rate_ok else 'NOT MET'}; ratio {ratio:.2f} >= {TARGET_RATIO}: "
            f"{'MET' if ratio_ok else 'NOT MET'}; non-2xx {r.non_2xx}, socket errors "
            f"{r.socket_errors}: {'OK' if clean else 'NOT OK'}"
            + ("; TOKEN BUDGET EXHAUSTED, raise --tokens" if r.exhausted else "")
            + (f"; {r.already} repeated signatures (200)" if r.already else "")
        )
        # Requests cut off when wrk stops may still commit, so rows may exceed 201s by <= N.
        if not 0 <= r.rows - r.created <= r.connections:
            lines.append(
                f"N={r.connections:>3}: INCONSISTENT: {r.rows} new signature rows but "
                f"{r.created} responses were 201 ({r.already} said 'already signed' = 200)"
            )
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    dsn = harness.plain_dsn(args.database_url)
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    workdir = Path(tempfile.mkdtemp(prefix="auftrag-cosign-"))
    token_file = workdir / "tokens.txt"
    secret = None
    reports: list[tuple[int, list[Row]]] = []
    try:
        for workers in args.worker_list:
            server = harness.Server(
                args.database_url,
                workers=workers,
                port=args.port,
                redis_url=args.redis_url if workers > 1 else None,
                pool_max=args.pool_max,
                app_dir=args.app_dir,
            )
            if secret:
                server.secret_key = secret
            secret = server.secret_key
            try:
                server.start()
                conn = await asyncpg.connect(dsn)
                try:
                    if not token_file.exists():
                        started = time.perf_counter()
                        await harness.create_municipality(conn, SLUG, QUORUM)
                        initiator = (await harness.create_users(conn, 1, "initiator"))[0]
                        user_ids = await harness.create_users(conn, args.tokens, "signer")
                        await harness.declare_residence(conn, [initiator, *user_ids], SLUG)
                        tokens = await harness.mint_tokens(conn, secret, [initiator, *user_ids])
                        initiator_token = tokens[0]
                        token_file.write_text("\n".join(tokens[1:]) + "\n")
                        log(
                            f"{len(user_ids):,} verified users and tokens in "
                            f"{time.perf_counter() - started:.1f}s"
                        )
                    await warm_up(args, server, initiator_token, token_file)
                    rows = []
                    for n in args.connection_list:
                        rounds = [
                            await run_one(
                                args, server, conn, initiator_token, token_file, user_ids, n
                            )
                            for _ in range(max(1, args.repeat))
                        ]
                        rows.append(best_of(rounds))
                finally:
                    await conn.close()
            finally:
                server.stop()
            reports.append((workers, rows))
            print(report(workers, args, rows), flush=True)
    finally:
        harness.remove_tree(workdir)
        if args.keep_database:
            log("database kept (--keep-database)")
        else:
            await harness.drop_database(args.database_url)
            log("dropped the benchmark database")
    if len(reports) > 1:
        print("\n== workers compared (full-stack signatures/s) ==")
        best = max(reports, key=lambda item: statistics.mean(r.full_rate for r in item[1]))
        for workers, rows in reports:
            rates = ", ".join(f"N={r.connections}: {r.full_rate:,.0f}" for r in rows)
            mean = statistics.mean(r.full_rate for r in rows)
            print(f"--workers {workers}: {rates} (mean {mean:,.0f})")
        print(f"best: --workers {best[0]}")
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
