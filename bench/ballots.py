"""Ballots accepted per second over HTTP: N clients vote in THE SAME open vote, each as a
different verified user.

Against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, as a subprocess), for each N (default 50 concurrent connections):

* new ballots: a fresh budget vote (10 projects, Method of Equal Shares) is prepared,
  scheduled and opened through the API; wrk (1 thread) with bench/ballots.lua sends
  `POST /api/v1/votes/{id}/ballots`, every request with a bearer token used once and one
  of 64 valid ballots; ballots/s counts only 201s. Afterwards the ballot rows must equal
  the 201s (give or take the requests wrk cut off at the end, which may still commit);
* replaced ballots: the same people vote again in that vote (200, a new receipt each);
* the reference: the statement the server runs for a ballot (shared lock on the vote,
  participation, ballot upsert, outbox row, in one round trip) straight through asyncpg
  into a second open vote, N concurrent tasks, no HTTP.

It prints one table with the ratio full/raw. Everything is bounded in time; the database
and the server are removed at exit.

    /work/venv/bin/python bench/ballots.py [--connections 50] [--duration 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import log  # noqa: E402

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "ballots.lua"
SLUG = "bench-ballots"
PROJECTS = 10
BUDGET_CENTS = 200_000_00
BODIES = 64

sys.path.insert(0, str(HERE.parent))

# The server's own ballot statement on PostgreSQL: lock, check and the three writes.
from participation.votes.casting import CAST_ONCE  # noqa: E402

ROWS_SQL = "SELECT count(*) FROM vote_ballot WHERE vote_id = $1"


@dataclass
class Row:
    connections: int
    rate: float  # 201 per second
    p50_ms: float
    p99_ms: float
    replace_rate: float  # 200 per second when voting again
    replace_p99_ms: float
    raw_rate: float
    raw_p50_ms: float
    raw_p99_ms: float
    created: int
    rows: int
    non_2xx: int
    socket_errors: int
    exhausted: bool
    cpu: dict[str, float]
    counted: bool  # ballot rows match the 201s in this round (and, merged, in every round)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Ballots accepted per second through the full stack vs. raw asyncpg.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_ballots",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="for --workers > 1")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--connections", default="50", help="comma list of N")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up")
    p.add_argument("--repeat", type=int, default=2, help="rounds per N; the best is kept")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (1-2 on 2 cores)")
    p.add_argument("--pool-max", type=int, default=None, help="server pool maxsize per worker")
    p.add_argument(
        "--tokens", type=int, default=0, help="voters to generate; 0: 3,000 per second of run"
    )
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument("--app-dir", type=Path, default=None, help="serve another checkout")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.connection_list = [int(c) for c in args.connections.split(",") if c.strip()]
    if not args.tokens:
        args.tokens = max(10_000, int(3_000 * args.duration))
    if not 1 <= args.threads <= 2:
        p.error("--threads must be 1 or 2: the load generator must not starve the server")
    return args


def projects() -> list[dict[str, object]]:
    return [
        {"title": f"Projekt {n}", "cost_cents": (10 + 8 * n) * 1_000_00} for n in range(PROJECTS)
    ]


def ballot_bodies(option_ids: list[int], costs: list[int], seed: int = 7) -> list[str]:
    """Valid ballots: one to three projects that fit the budget together."""
    pick = random.Random(seed)
    bodies: list[str] = []
    while len(bodies) < BODIES:
        chosen = pick.sample(range(len(option_ids)), pick.randint(1, 3))
        if sum(costs[i] for i in chosen) <= BUDGET_CENTS:
            bodies.append(json.dumps({"choices": [option_ids[i] for i in chosen]}))
    return bodies


def open_vote(base: str, token: str, title: str) -> tuple[int, list[int], list[int]]:
    """Prepare, schedule and open a vote through the API; (id, option ids, costs)."""
    now = datetime.now(UTC)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        r = client.post(
            f"/api/v1/municipalities/{SLUG}/votes",
            json={
                "title": title,
                "rule": "mes",
                "budget_cents": BUDGET_CENTS,
                "opens_at": (now + timedelta(minutes=5)).isoformat(),
                "closes_at": (now + timedelta(days=1)).isoformat(),
                "options": projects(),
            },
        )
        if r.status_code != 201:
            raise SystemExit(f"preparing a vote failed: {r.status_code} {r.text}")
        vote = r.json()
        for step in ("scheduled", "open"):
            r = client.post(f"/api/v1/votes/{vote['id']}/transitions", json={"to": step})
            if r.status_code != 200:
                raise SystemExit(f"moving the vote to {step} failed: {r.status_code} {r.text}")
    options = vote["options"]
    return vote["id"], [o["id"] for o in options], [o["cost_cents"] for o in options]


async def raw_reference(
    dsn: str, vote_id: int, user_ids: list[int], bodies: list[str], n: int, duration: float
) -> tuple[float, float, float]:
    """Ballots/s, p50 and p99 (ms) of the server's ballot statement through asyncpg."""
    async with asyncpg.create_pool(dsn, min_size=n, max_size=n) as db:
        key_text = await db.fetchval("SELECT ballot_key FROM vote WHERE id = $1", vote_id)
        key = bytes.fromhex(key_text)
        stored = [json.dumps(json.loads(body)["choices"]) for body in bodies]
        ids = iter(user_ids)
        latencies: list[float] = []
        written = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration

        async def client(k: int) -> None:
            nonlocal written
            while loop.time() < deadline:
                user_id = next(ids, None)
                if user_id is None:
                    return
                started = time.perf_counter()
                slot = hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()
                digest = hashlib.sha256(secrets.token_hex(10).encode()).hexdigest()
                async with db.acquire() as conn:
                    await conn.fetch(
                        CAST_ONCE,
                        vote_id,
                        user_id,
                        datetime.now(UTC),
                        uuid.uuid4(),
                        slot,
                        stored[k % len(stored)],
                        digest,
                        key_text,
                        "votes:ballot:cast",
                        json.dumps({"vote_id": vote_id}),
                    )
                latencies.append(time.perf_counter() - started)
                written += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(k) for k in range(n)))
        elapsed = time.perf_counter() - started
    return (
        written / elapsed,
        harness.percentile(latencies, 50) * 1000,
        harness.percentile(latencies, 99) * 1000,
    )


async def run_one(
    args: argparse.Namespace,
    server: harness.Server,
    conn: asyncpg.Connection,
    council_token: str,
    token_file: Path,
    body_file: Path,
    user_ids: list[int],
    n: int,
    round_no: int,
) -> Row:
    vote_id, option_ids, costs = open_vote(server.base, council_token, f"N={n} #{round_no}")
    await asyncio.to_thread(
        body_file.write_text, "\n".join(ballot_bodies(option_ids, costs)) + "\n"
    )
    path = f"/api/v1/votes/{vote_id}/ballots"
    wrk_args = [str(token_file), str(min(args.threads, n)), path, str(body_file)]
    log(f"N={n}: wrk -t{args.threads} -c{n} -d{args.duration:g}s POST {path}")
    cpu_before = harness.cpu_snapshot()
    new = await harness.run_wrk(
        server.base, SCRIPT, wrk_args, connections=n, threads=args.threads,
        duration=args.duration,
    )  # fmt: skip
    cpu = harness.cpu_shares(cpu_before, harness.cpu_snapshot(), server.proc.pid)
    seconds = new["duration_us"] / 1e6
    rate = new["created"] / seconds
    rows = await conn.fetchval(ROWS_SQL, vote_id)
    log(
        f"N={n}: {int(new['created'])} ballots in {seconds:.2f}s = {rate:.0f}/s, "
        f"p50 {new['p50_us'] / 1000:.1f} ms, p99 {new['p99_us'] / 1000:.1f} ms; {rows} rows"
    )
    # Voting again: the same tokens from the start of the file, in the same vote.
    again = await harness.run_wrk(
        server.base, SCRIPT, wrk_args, connections=n, threads=args.threads,
        duration=min(args.duration, seconds / 2),
    )  # fmt: skip
    replace_rate = again["replaced"] / (again["duration_us"] / 1e6)
    log(f"N={n}: {int(again['replaced'])} replaced = {replace_rate:.0f}/s")
    reference, reference_options, reference_costs = open_vote(
        server.base, council_token, f"raw N={n} #{round_no}"
    )
    raw_bodies = ballot_bodies(reference_options, reference_costs)
    raw_rate, raw_p50, raw_p99 = await raw_reference(
        harness.plain_dsn(args.database_url), reference, user_ids, raw_bodies, n, args.duration
    )
    log(f"N={n}: raw {raw_rate:.0f}/s, p50 {raw_p50:.1f} ms, p99 {raw_p99:.1f} ms")
    socket_errors = sum(
        int(result[k])
        for result in (new, again)
        for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return Row(
        connections=n,
        rate=rate,
        p50_ms=new["p50_us"] / 1000,
        p99_ms=new["p99_us"] / 1000,
        replace_rate=replace_rate,
        replace_p99_ms=again["p99_us"] / 1000,
        raw_rate=raw_rate,
        raw_p50_ms=raw_p50,
        raw_p99_ms=raw_p99,
        created=int(new["created"]),
        rows=rows,
        # Voting again past the people who voted first gives 201s: not an error there.
        non_2xx=int(new["other"] + new["replaced"] + again["other"]),
        socket_errors=socket_errors,
        exhausted=bool(new["exhausted"] or again["exhausted"]),
        cpu=cpu,
        counted=0 <= rows - new["created"] <= n,
    )


def report(args: argparse.Namespace, rows: list[Row]) -> str:
    headers = [
        "N", "ballots/s", "p50 ms", "p99 ms", "replaced/s", "repl p99", "raw/s", "full/raw",
        "201s", "rows", "other", "sock err", "srv ms/ballot", "pg ms/ballot", "noise",
    ]  # fmt: skip
    cells = [
        [
            r.connections,
            f"{r.rate:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.replace_rate:,.0f}",
            f"{r.replace_p99_ms:.1f}",
            f"{r.raw_rate:,.0f}",
            f"{r.rate / r.raw_rate:.2f}" if r.raw_rate else "n/a",
            r.created,
            r.rows,
            r.non_2xx,
            r.socket_errors,
            f"{r.cpu['server'] * 10 / r.rate:.2f}" if r.rate else "n/a",
            f"{r.cpu['postgres'] * 10 / r.rate:.2f}" if r.rate else "n/a",
            f"{r.cpu['other']:.0f}%",
        ]
        for r in rows
    ]
    lines = [
        "",
        f"== ballots in one open vote: --workers {args.workers}, pool maxsize "
        f"{args.pool_max or 20}/worker, wrk -t{args.threads}, {args.duration:g}s per run, "
        f"best of {max(1, args.repeat)}, {harness.describe_app(args.app_dir)} ==",
        harness.table(headers, cells),
        "",
        "ballots/s: 201 responses per second (first ballots, each from another verified user)",
        "replaced/s: 200 responses per second when the same people vote again",
        "raw/s: the server's ballot statement (shared lock on the vote, participation, "
        "ballot upsert, outbox row) straight through asyncpg, N tasks",
        "201s, rows: first ballots acknowledged and ballot rows stored; rows - 201s is at "
        "most N (requests wrk cut off at the end may still commit)",
        "ms/ballot: CPU milliseconds per ballot of the server processes and of PostgreSQL; "
        "noise: CPU of everything else on the machine, in % of one core",
        "",
    ]
    for r in rows:
        counted = r.counted
        clean = r.non_2xx == 0 and r.socket_errors == 0
        lines.append(
            f"N={r.connections:>3}: {r.rate:,.0f} ballots/s accepted; every 201 counted: "
            f"{'OK' if counted else 'NOT OK'}; other responses {r.non_2xx}, socket errors "
            f"{r.socket_errors}: {'OK' if clean else 'NOT OK'}"
            + ("; TOKEN BUDGET EXHAUSTED, raise --tokens" if r.exhausted else "")
        )
    return "\n".join(lines)


async def create_municipality(conn: asyncpg.Connection, slug: str) -> None:
    """The tenant, at the email level for votes (every voter here has a verified email)."""
    await conn.execute(
        "INSERT INTO municipality (slug, name, default_quorum, signature_period_days, "
        "service_promise_days, created_at) VALUES ($1, $2, 100, 90, 5, now())",
        slug,
        f"Benchmark {slug}",
    )


async def add_council_member(conn: asyncpg.Connection, user_id: int, slug: str) -> None:
    await conn.execute(
        "INSERT INTO account_membership (user_id, municipality_id, role, created_at) "
        "SELECT $1, id, 'council', now() FROM municipality WHERE slug = $2",
        user_id,
        slug,
    )


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    dsn = harness.plain_dsn(args.database_url)
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    workdir = Path(tempfile.mkdtemp(prefix="auftrag-ballots-"))
    token_file = workdir / "tokens.txt"
    body_file = workdir / "ballots.txt"
    server = harness.Server(
        args.database_url,
        workers=args.workers,
        port=args.port,
        redis_url=args.redis_url if args.workers > 1 else None,
        pool_max=args.pool_max,
        app_dir=args.app_dir,
    )
    try:
        server.start()
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            await create_municipality(conn, SLUG)
            council = (await harness.create_users(conn, 1, "council"))[0]
            await add_council_member(conn, council, SLUG)
            user_ids = await harness.create_users(conn, args.tokens, "voter")
            await harness.declare_residence(conn, [council, *user_ids], SLUG)
            tokens = await harness.mint_tokens(conn, server.secret_key, [council, *user_ids])
            council_token = tokens[0]
            token_file.write_text("\n".join(tokens[1:]) + "\n")
            log(f"{len(user_ids):,} voters and tokens in {time.perf_counter() - started:.1f}s")
            if args.warmup > 0:
                vote_id, option_ids, costs = open_vote(server.base, council_token, "Warm-up")
                body_file.write_text("\n".join(ballot_bodies(option_ids, costs)) + "\n")
                n = max(args.connection_list)
                log(f"warm-up: {args.warmup:g}s with {n} connections")
                await harness.run_wrk(
                    server.base,
                    SCRIPT,
                    [str(token_file), str(min(args.threads, n)),
                     f"/api/v1/votes/{vote_id}/ballots", str(body_file)],
                    connections=n,
                    threads=args.threads,
                    duration=args.warmup,
                )  # fmt: skip
            rows = []
            for n in args.connection_list:
                rounds = [
                    await run_one(
                        args, server, conn, council_token, token_file, body_file, user_ids, n, k
                    )
                    for k in range(max(1, args.repeat))
                ]
                best = max(rounds, key=lambda r: r.rate)
                best.raw_rate = max(r.raw_rate for r in rounds)
                best.replace_rate = max(r.replace_rate for r in rounds)
                best.non_2xx = sum(r.non_2xx for r in rounds)
                best.socket_errors = sum(r.socket_errors for r in rounds)
                best.counted = all(r.counted for r in rounds)
                rows.append(best)
        finally:
            await conn.close()
    finally:
        server.stop()
        harness.remove_tree(workdir)
        if args.keep_database:
            log("database kept (--keep-database)")
        else:
            await harness.drop_database(args.database_url)
            log("dropped the benchmark database")
    print(report(args, rows), flush=True)
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
