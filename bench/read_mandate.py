"""Reading a mandate stays flat as its signatures grow: p95 of GET /api/v1/mandates/{id}.

Against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, as a subprocess), one published mandate is bulk-loaded with signatures
(INSERT … SELECT over generate_series users, counter shards set to the same total) to
10,000, 100,000 and 1,000,000 rows. At each size wrk (1 thread, a few connections)
measures, one after the other for --duration seconds each:

* GET /api/v1/mandates/{id} anonymously (the target: p95 < 20 ms, flat),
* the same with a bearer token of a signer (adds the actor and the "signed" lookup),
* GET /mandates/{id}, the HTML page,
* GET /api/v1/health, the reference: one trivial query (SELECT 1) through the same stack.

It prints p50/p95/p99 per endpoint and size, each p95 as a multiple of health's p95 in the
same round, and whether the targets are met. The database is dropped at exit.

    /work/venv/bin/python bench/read_mandate.py [--duration 4] [--connections 4]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import log  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "read.lua"
TARGET_P95_MS = 20.0
SLUG = "bench-read"
QUORUM = 10_000_000
SHARDS = 16


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="p95 of reading one mandate with up to a million signatures, vs. health.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_read",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--sizes", default="10000,100000,1000000", help="signature counts to measure at")
    p.add_argument("--duration", type=float, default=4.0, help="seconds per endpoint and size")
    p.add_argument("--connections", type=int, default=4, help="wrk connections")
    p.add_argument("--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/14", help="Redis for --workers > 1"
    )
    p.add_argument(
        "--pool-max",
        type=int,
        default=None,
        help="server pool maxsize per worker; unset keeps the app's default (20)",
    )
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument("--app-dir", type=Path, default=None, help="serve another checkout (A/B)")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.size_list = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if args.size_list[0] < 2:
        p.error("sizes must be at least 2 (the initiator signs first)")
    return args


async def grow_to(conn: asyncpg.Connection, mandate_id: int, user_ids: range, size: int) -> float:
    """Add signatures until the mandate has `size` rows; set the shards to match."""
    started = time.perf_counter()
    have = await conn.fetchval("SELECT count(*) FROM signature WHERE mandate_id = $1", mandate_id)
    missing = size - have
    if missing > 0:
        # Signers are the bulk users in id order; the initiator signed on publish.
        first = user_ids.start + (have - 1)
        await conn.execute(
            "INSERT INTO signature (mandate_id, user_id, created_at, resident) "
            "SELECT $1, g, now() - (random() * interval '30 days'), false "
            "FROM generate_series($2::int, $3::int) AS g",
            mandate_id,
            first,
            first + missing - 1,
        )
    per_shard, rest = divmod(size, SHARDS)
    await conn.execute(
        "UPDATE signature_count SET count = $2 + CASE WHEN shard < $3 THEN 1 ELSE 0 END "
        "WHERE mandate_id = $1",
        mandate_id,
        per_shard,
        rest,
    )
    # What autovacuum would have done by the time a mandate has collected this many.
    await conn.execute("VACUUM (ANALYZE) signature")
    await conn.execute("VACUUM (ANALYZE) signature_count")
    return time.perf_counter() - started


async def measure(
    args: argparse.Namespace, base: str, path: str, token: str | None
) -> harness.WrkResult:
    return await harness.run_wrk(
        base,
        SCRIPT,
        [path, token or "-"],
        connections=args.connections,
        threads=args.threads,
        duration=args.duration,
    )


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    dsn = harness.plain_dsn(args.database_url)
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    server = harness.Server(
        args.database_url,
        workers=args.workers,
        port=args.port,
        redis_url=args.redis_url if args.workers > 1 else None,
        pool_max=args.pool_max,
        app_dir=args.app_dir,
    )
    results: list[list[object]] = []
    verdicts: list[str] = []
    try:
        server.start()
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            await harness.create_municipality(conn, SLUG, QUORUM)
            initiator = (await harness.create_users(conn, 1, "initiator"))[0]
            await harness.declare_residence(conn, [initiator], SLUG)
            signers = args.size_list[-1] - 1
            # One statement; ids come out consecutive in a fresh database, checked below.
            first, last = await conn.fetchrow(
                "WITH made AS (INSERT INTO account_user (email, display_name, email_verified, "
                "created_at) SELECT 'signer-' || g || '@bench.invalid', 'Signer ' || g, true, "
                "now() FROM generate_series(1, $1::int) AS g RETURNING id) "
                "SELECT min(id), max(id) FROM made",
                signers,
            )
            if last - first + 1 != signers:
                raise SystemExit("bulk user ids are not consecutive; use a fresh database")
            user_ids = range(first, last + 1)
            log(f"{signers:,} verified users in {time.perf_counter() - started:.1f}s")
            initiator_token, reader_token = await harness.mint_tokens(
                conn, server.secret_key, [initiator, first]
            )
            mandate = harness.create_published_mandate(
                server.base, initiator_token, SLUG, "A mandate with a million co-signers"
            )
            paths = [
                ("GET /api/v1/mandates/{id}", f"/api/v1/mandates/{mandate}", None),
                ("  same, signed-in signer", f"/api/v1/mandates/{mandate}", reader_token),
                ("GET /mandates/{id} (HTML)", f"/mandates/{mandate}", None),
                ("GET /api/v1/health (ref)", "/api/v1/health", None),
            ]
            for size in args.size_list:
                seconds = await grow_to(conn, mandate, user_ids, size)
                async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
                    shown = (await client.get(f"/api/v1/mandates/{mandate}")).json()
                rows = await conn.fetchval(
                    "SELECT count(*) FROM signature WHERE mandate_id = $1", mandate
                )
                log(
                    f"{size:,} signatures loaded in {seconds:.1f}s "
                    f"(rows {rows:,}, signature_count {shown['signature_count']:,})"
                )
                if rows != size or shown["signature_count"] != size:
                    raise SystemExit(f"expected {size} rows and count, got {rows} and {shown}")
                measured = {}
                for label, path, token in paths:
                    log(f"{size:,}: wrk -c{args.connections} -d{args.duration:g}s {label.strip()}")
                    measured[label] = await measure(args, server.base, path, token)
                health_p95 = measured[paths[-1][0]]["p95_us"] / 1000
                for label, _, _ in paths:
                    r = measured[label]
                    p95 = r["p95_us"] / 1000
                    errors = int(
                        r["status_errors"] + r["connect_errors"] + r["read_errors"]
                        + r["write_errors"] + r["timeouts"]
                    )  # fmt: skip
                    results.append(
                        [
                            f"{size:,}",
                            label,
                            f"{r['requests'] / (r['duration_us'] / 1e6):,.0f}",
                            f"{r['p50_us'] / 1000:.2f}",
                            f"{p95:.2f}",
                            f"{r['p99_us'] / 1000:.2f}",
                            f"{p95 / health_p95:.2f}",
                            errors,
                        ]
                    )
                    if label == paths[0][0]:
                        ok = p95 < TARGET_P95_MS and errors == 0
                        verdicts.append(
                            f"{size:>9,} signatures: API p95 {p95:.2f} ms < {TARGET_P95_MS:g} ms: "
                            f"{'MET' if ok else 'NOT MET'} (health p95 {health_p95:.2f} ms, "
                            f"ratio {p95 / health_p95:.2f}, errors {errors})"
                        )
        finally:
            await conn.close()
    finally:
        server.stop()
        if args.keep_database:
            log("database kept (--keep-database)")
        else:
            await harness.drop_database(args.database_url)
            log("dropped the benchmark database")
    print()
    print(
        f"== read one mandate: --workers {args.workers}, wrk -t{args.threads} "
        f"-c{args.connections}, {args.duration:g}s per line, "
        f"{harness.describe_app(args.app_dir)} =="
    )
    headers = [
        "signatures", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "p95/health", "errors",
    ]  # fmt: skip
    print(harness.table(headers, results))
    print()
    print("\n".join(verdicts))
    api = [row for row in results if row[1] == paths[0][0]]
    if len(api) > 1:
        growth = float(api[-1][4]) / float(api[0][4])
        flat = growth < 1.5
        print(
            f"flat: API p95 at {api[-1][0]} / at {api[0][0]} = {growth:.2f} "
            f"(< 1.5: {'MET' if flat else 'NOT MET'})"
        )
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
