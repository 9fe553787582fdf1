"""Ballots accepted per second over HTTP: N clients vote in THE SAME open vote, each as a
different verified user.

Against a fresh PostgreSQL database and the real server (`auftrag serve`, production
settings, as a subprocess), for each N (default 50 concurrent connections) and each of
`--repeat` rounds, one after the other:

* new ballots: a fresh budget vote (10 projects, Method of Equal Shares) is prepared,
  scheduled and opened through the API; wrk (1 thread) with bench/ballots.lua sends
  `POST /api/v1/votes/{id}/ballots`, every request with a bearer token no other request
  sends, in this round or any other or the warm-up (bench/tokens.py), and one of 64
  valid ballots; ballots/s counts only 201s. Afterwards the ballot rows must equal the
  201s (give or take the requests wrk cut off at the end, which may still commit);
* replaced ballots: the same people vote again in that vote (200, a new receipt each),
  each through another session of theirs, so these tokens are new to the server too;
* the reference: pgbench with bench/ballots.sql — the server's ballot statement (shared
  lock on the vote, participation, ballot upsert, outbox row) — at the same N into a
  second open vote (bench/pgbench.py);
* the floor: `GET /api/v1/health` (one `SELECT 1` through the same stack) with wrk at N.

CPU is counted only for the server's processes and the PostgreSQL backends of the
benchmark's database (bench/cpu.py). Each ratio is taken within its round; the summary
is the median of the rounds with the spread (min–max). Everything is bounded in time;
the database and the server are removed at exit.

    /work/venv/bin/python bench/ballots.py [--connections 50] [--duration 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
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
SCRIPT = HERE / "ballots.lua"
REFERENCE_SCRIPT = HERE / "ballots.sql"
SLUG = "bench-ballots"
PROJECTS = 10
BUDGET_CENTS = 200_000_00
BODIES = 64
ROWS_SQL = "SELECT count(*) FROM vote_ballot WHERE vote_id = $1"


@dataclass
class Round:
    connections: int
    rate: float  # 201 per second
    p50_ms: float
    p99_ms: float
    created: int
    rows: int
    replace_rate: float  # 200 per second when voting again
    replace_p99_ms: float
    non_2xx: int
    socket_errors: int
    exhausted: bool
    server_ms: float  # server CPU ms per new ballot
    pg_ms: float  # CPU ms per new ballot of the backends serving the server
    noise: float  # CPU of everything else during the new-ballot run, % of one core
    raw_clients: int  # pgbench's clients: N unless PostgreSQL has too few connections
    raw_rate: float  # pgbench transactions per second
    raw_latency_ms: float
    raw_repeats: int  # pgbench transactions that replaced a ballot (user ids wrapped around)
    raw_failed: int
    raw_pg_ms: float
    health_rate: float
    health_p50_ms: float
    health_server_ms: float

    @property
    def counted(self) -> bool:
        """Every 201 stored; requests wrk cut off at the end may still commit (<= N)."""
        return 0 <= self.rows - self.created <= self.connections

    @property
    def full_raw(self) -> float:
        return self.rate / self.raw_rate if self.raw_rate else float("nan")

    @property
    def full_health(self) -> float:
        return self.rate / self.health_rate if self.health_rate else float("nan")

    @property
    def cpu_ratio(self) -> float:
        """Server CPU of a ballot in health requests: what the comparison rests on."""
        return self.server_ms / self.health_server_ms if self.health_server_ms else float("nan")

    def as_json(self) -> dict[str, object]:
        return {
            **asdict(self),
            "counted": self.counted,
            "full_raw": self.full_raw,
            "full_health": self.full_health,
            "cpu_ratio": self.cpu_ratio,
        }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Ballots accepted per second through the full stack vs. pgbench.",
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
    p.add_argument("--repeat", type=int, default=3, help="rounds per N; the summary is the median")
    p.add_argument("--threads", type=int, default=1, help="wrk and pgbench threads (1-2)")
    p.add_argument("--pool-max", type=int, default=None, help="server pool maxsize per worker")
    p.add_argument(
        "--rate-guess",
        type=float,
        default=1500.0,
        help="ballots/s to mint tokens for before the first run; later runs mint for the "
        "fastest rate seen, with a margin",
    )
    p.add_argument(
        "--reference-users",
        type=int,
        default=0,
        help="users pgbench votes as (ids wrap around past them); 0: 10,000 per second of "
        "--duration",
    )
    p.add_argument(
        "--no-health",
        dest="health",
        action="store_false",
        help="skip the floor run: GET /api/v1/health (one SELECT 1) at the same N",
    )
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument("--app-dir", type=Path, default=None, help="serve another checkout")
    p.add_argument("--json", type=Path, default=None, help="also write every round here")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.connection_list = [int(c) for c in args.connections.split(",") if c.strip()]
    if not args.reference_users:
        args.reference_users = int(10_000 * args.duration)
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


@dataclass
class Bench:
    """What every round needs."""

    args: argparse.Namespace
    server: harness.Server
    conn: asyncpg.Connection
    council_token: str
    pool: TokenPool
    reference_users: range
    body_file: Path

    def meter(self) -> cpu.CpuMeter:
        admin, name = harness.split_database_url(self.args.database_url)
        assert self.server.proc is not None
        return cpu.CpuMeter(admin, name, self.server.proc.pid)

    async def vote(
        self, vote_id: int, n: int, duration: float, copy: int, start: int
    ) -> harness.WrkResult:
        """One wrk run of ballots with the tokens of file `copy` from line `start` on."""
        path = f"/api/v1/votes/{vote_id}/ballots"
        result = await harness.run_wrk(
            self.server.base,
            SCRIPT,
            [str(self.pool.files[copy]), str(min(self.args.threads, n)), path,
             str(self.body_file), str(start)],
            connections=n,
            threads=self.args.threads,
            duration=duration,
        )  # fmt: skip
        self.pool.used(result, start)
        return result

    async def open_with_bodies(self, title: str) -> int:
        vote_id, option_ids, costs = open_vote(self.server.base, self.council_token, title)
        await asyncio.to_thread(
            self.body_file.write_text, "\n".join(ballot_bodies(option_ids, costs)) + "\n"
        )
        return vote_id


async def reference(bench: Bench, n: int, title: str) -> tuple[pgbench.Reference, int]:
    """pgbench's run and the ballot rows it stored."""
    args, conn = bench.args, bench.conn
    vote_id, option_ids, costs = open_vote(bench.server.base, bench.council_token, title)
    key = await conn.fetchval("SELECT ballot_key FROM vote WHERE id = $1", vote_id)
    choices = json.loads(ballot_bodies(option_ids, costs)[0])["choices"]
    users = bench.reference_users
    log(f"N={n}: pgbench -c{n} -T{args.duration:g} {REFERENCE_SCRIPT.name} into vote {vote_id}")

    async def stored() -> int:
        return await conn.fetchval(ROWS_SQL, vote_id)

    ref = await pgbench.run(
        harness.plain_dsn(args.database_url),
        REFERENCE_SCRIPT,
        {
            "vote_id": vote_id,
            "ballot_key": key,
            "choices": json.dumps(choices, separators=(",", ":")),
            "payload": json.dumps({"vote_id": vote_id}, separators=(",", ":")),
            "event": "votes:ballot:cast",
            "first_user": users.start,
            "users": len(users),
        },
        clients=n,
        threads=args.threads,
        duration=args.duration,
        meter=bench.meter,
        count=stored,
    )
    return ref, await stored()


async def run_round(bench: Bench, n: int, round_no: int) -> Round:
    args, conn = bench.args, bench.conn
    vote_id = await bench.open_with_bodies(f"N={n} #{round_no}")
    # Minting happens here, before the meter starts.
    start = await bench.pool.ensure(args.duration, n)
    log(f"N={n}: wrk -t{args.threads} -c{n} -d{args.duration:g}s ballots into vote {vote_id}")
    async with bench.meter() as meter:
        new = await bench.vote(vote_id, n, args.duration, 0, start)
    assert meter.usage is not None
    usage = meter.usage
    seconds = new["duration_us"] / 1e6
    created = int(new["created"])
    rate = created / seconds
    rows = await conn.fetchval(ROWS_SQL, vote_id)
    log(
        f"N={n}: {created} ballots in {seconds:.2f}s = {rate:.0f}/s, "
        f"p50 {new['p50_us'] / 1000:.1f} ms, p99 {new['p99_us'] / 1000:.1f} ms; {rows} rows; "
        f"server {cpu.ms_per(usage.server, created):.3f} ms CPU each"
    )
    # Voting again: the same people (the same lines), through their second sessions.
    again = await bench.vote(vote_id, n, min(args.duration, seconds / 2), 1, start)
    replace_rate = again["replaced"] / (again["duration_us"] / 1e6)
    log(f"N={n}: {int(again['replaced'])} replaced = {replace_rate:.0f}/s")
    ref, ref_rows = await reference(bench, n, f"reference N={n} #{round_no}")
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
    socket_errors = sum(
        int(result[k])
        for result in (new, again)
        for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return Round(
        connections=n,
        rate=rate,
        p50_ms=new["p50_us"] / 1000,
        p99_ms=new["p99_us"] / 1000,
        created=created,
        rows=rows,
        replace_rate=replace_rate,
        replace_p99_ms=again["p99_us"] / 1000,
        # Voting again past the people who voted first gives 201s: not an error there.
        non_2xx=int(new["other"] + new["replaced"] + again["other"]),
        socket_errors=socket_errors,
        exhausted=bool(new["exhausted"] or again["exhausted"]),
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


def report(args: argparse.Namespace, by_n: dict[int, list[Round]]) -> str:
    summary_headers = [
        "N", "ballots/s", "replaced/s", "raw/s", "full/raw", "full/health", "srv ms/ballot",
        "srv ms/health", "ballot/health cpu", "noise",
    ]  # fmt: skip
    summary_cells = [
        [
            n,
            rounds.spread([r.rate for r in rs]),
            rounds.spread([r.replace_rate for r in rs]),
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
    round_headers = [
        "N", "round", "ballots/s", "p50 ms", "p99 ms", "replaced/s", "repl p99", "raw/s",
        "full/raw", "health/s", "srv ms/ballot", "srv ms/health", "ballot/health cpu",
        "pg ms/ballot", "raw pg ms/ballot", "201s", "rows", "other", "sock err", "noise",
    ]  # fmt: skip
    round_cells = [
        [
            r.connections,
            k + 1,
            f"{r.rate:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.replace_rate:,.0f}",
            f"{r.replace_p99_ms:.1f}",
            f"{r.raw_rate:,.0f}",
            f"{r.full_raw:.3f}",
            f"{r.health_rate:,.0f}",
            f"{r.server_ms:.3f}",
            f"{r.health_server_ms:.3f}",
            f"{r.cpu_ratio:.2f}",
            f"{r.pg_ms:.3f}",
            f"{r.raw_pg_ms:.3f}",
            r.created,
            r.rows,
            r.non_2xx,
            r.socket_errors,
            f"{r.noise:.0f}%",
        ]
        for rs in by_n.values()
        for k, r in enumerate(rs)
    ]
    lines = [
        "",
        f"== ballots in one open vote: --workers {args.workers}, pool maxsize "
        f"{args.pool_max or 20}/worker, wrk and pgbench -t{args.threads}, {args.duration:g}s "
        f"per run, {max(1, args.repeat)} rounds, {harness.describe_app(args.app_dir)} ==",
        "",
        "median of the rounds (min–max):",
        harness.table(summary_headers, summary_cells),
        "",
        "every round:",
        harness.table(round_headers, round_cells),
        "",
        "ballots/s: 201 responses per second (first ballots, each from another verified user, "
        "each request with a token never sent before)",
        "replaced/s: 200 responses per second when the same people vote again",
        "raw/s: pgbench running the server's ballot statement (shared lock on the vote, "
        "participation, ballot upsert, outbox row) at the same N; ratios within each round",
        "health/s: GET /api/v1/health (one SELECT 1) at the same N, the stack's floor",
        "srv ms/ballot, srv ms/health: server CPU milliseconds per new ballot and per health "
        "request; ballot/health cpu: their ratio, a ballot in health requests",
        "pg ms/ballot, raw pg ms/ballot: CPU ms per ballot of the PostgreSQL backends serving "
        "the server / pgbench (only the benchmark database's)",
        "201s, rows: first ballots acknowledged and ballot rows stored; rows - 201s is at "
        "most N (requests wrk cut off at the end may still commit)",
        "noise: CPU of everything else on the machine during the new-ballot run, % of one core",
        "",
    ]
    for n, rs in by_n.items():
        counted = all(r.counted for r in rs)
        clean = all(r.non_2xx == 0 and r.socket_errors == 0 for r in rs)
        repeats = sum(r.raw_repeats for r in rs)
        lines.append(
            f"N={n:>3}: {rounds.median(r.rate for r in rs):,.0f} ballots/s accepted (median); "
            f"every 201 counted: {'OK' if counted else 'NOT OK'}; other responses "
            f"{sum(r.non_2xx for r in rs)}, socket errors {sum(r.socket_errors for r in rs)}: "
            f"{'OK' if clean else 'NOT OK'}"
            + ("; TOKEN BUDGET EXHAUSTED" if any(r.exhausted for r in rs) else "")
            + (f"; pgbench replaced {repeats} ballots (users wrapped around)" if repeats else "")
            + (
                f"; pgbench ran {fewest} clients, not {n} (max_connections)"
                if (fewest := min(r.raw_clients for r in rs)) < n
                else ""
            )
            + (f"; pgbench failed {failed}" if (failed := sum(r.raw_failed for r in rs)) else "")
        )
    return "\n".join(lines)


async def add_council_member(conn: asyncpg.Connection, user_id: int, slug: str) -> None:
    await conn.execute(
        "INSERT INTO account_membership (user_id, municipality_id, role, created_at) "
        "SELECT $1, id, 'council', now() FROM municipality WHERE slug = $2",
        user_id,
        slug,
    )


async def prepare(
    args: argparse.Namespace, server: harness.Server, conn: asyncpg.Connection, workdir: Path
) -> Bench:
    """The municipality, a council member, pgbench's block of users and the token pool."""
    started = time.perf_counter()
    await harness.create_municipality(conn, SLUG, 100)
    council = (await harness.create_users(conn, 1, "council"))[0]
    await add_council_member(conn, council, SLUG)
    await harness.declare_residence(conn, [council], SLUG)
    council_token = (await harness.mint_tokens(conn, server.secret_key, [council]))[0]
    ids = await harness.create_users(conn, args.reference_users, "reference")
    if ids != list(range(ids[0], ids[0] + len(ids))):
        raise SystemExit("pgbench's users must have consecutive ids")
    pool = TokenPool(
        conn, server.secret_key, SLUG, workdir, prefix="voter", rate_guess=args.rate_guess,
        copies=2,
    )  # fmt: skip
    log(f"council and {len(ids):,} reference users in {time.perf_counter() - started:.1f}s")
    users = range(ids[0], ids[0] + len(ids))
    return Bench(args, server, conn, council_token, pool, users, workdir / "ballots.txt")


async def warm_up(bench: Bench) -> None:
    if bench.args.warmup <= 0:
        return
    vote_id = await bench.open_with_bodies("Warm-up")
    n = max(bench.args.connection_list)
    start = await bench.pool.ensure(bench.args.warmup, n)
    log(f"warm-up: {bench.args.warmup:g}s with {n} connections")
    await bench.vote(vote_id, n, bench.args.warmup, 0, start)


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    await harness.recreate_database(args.database_url)
    log(f"created database {harness.split_database_url(args.database_url)[1]}")
    workdir = Path(tempfile.mkdtemp(prefix="auftrag-ballots-"))
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
        conn = await harness.connect(harness.plain_dsn(args.database_url))
        try:
            bench = await prepare(args, server, conn, workdir)
            await warm_up(bench)
            by_n = {
                n: [await run_round(bench, n, k) for k in range(max(1, args.repeat))]
                for n in args.connection_list
            }
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
    print(report(args, by_n), flush=True)
    if args.json:
        rounds.write_json(
            args.json,
            {
                "benchmark": "ballots",
                "app": harness.describe_app(args.app_dir),
                "rounds": [r.as_json() for rs in by_n.values() for r in rs],
            },
        )
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
