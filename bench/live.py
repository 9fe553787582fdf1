"""Live timeline fan-out: how soon 10,000 open mandate pages hear of a council's move.

Against a fresh PostgreSQL database, Redis (the live bus as in production) and the real
server (`auftrag serve`, one web process, as a subprocess), load generators in processes
of their own on loopback open N Server-Sent Event streams of one mandate
(`/api/v1/mandates/{id}/timeline/stream?last_event_id=…`, as the mandate page's script
does), asyncio protocols over raw sockets, many connections per process. When every
stream has its first `count` event (it is subscribed and has its backlog), the council
moves the mandate through the API (`submitted → in_review`, then `→ accepted`,
`→ in_progress` in later rounds; the answers API will take their place), and each
generator notes when each stream's `timeline` event arrives. Reported per size and
round: how many received it, when 50 %, 99 % and 100 % had it (from just before the
POST), and the web process's RSS (VmRSS from /proc: with N streams open, and its peak
during delivery); then the median and spread over rounds, and the ratios to the
targets (99 % within 1 s, RSS under 300 MB at 10,000).

A generator's own time to read its sockets counts in the figures (the kernel holds a
stream's bytes until the generator's loop gets to it), so the figures are an upper
bound for the server; --generators spreads the streams over more processes.

    .venv/bin/python bench/live.py [--sizes 1000,5000,10000] [--rounds 3] [--generators 2]

The database is dropped at exit; every process started here is ended by its id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import rounds as summary  # noqa: E402
from harness import log  # noqa: E402

SLUG = "bench-live"
MOVES = ["in_review", "accepted", "in_progress", "completed"]
TARGET_P99_S = 1.0
TARGET_RSS_MB = 300.0
TARGET_SIZE = 10_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Delivery time of one timeline entry to N open SSE streams, and RSS.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_live",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="the live bus")
    p.add_argument("--sizes", default="1000,5000,10000", help="subscriber counts")
    p.add_argument("--rounds", type=int, default=3, help="moves per size (at most 4)")
    p.add_argument("--generators", type=int, default=2, help="load generator processes")
    p.add_argument("--connect-concurrency", type=int, default=200, help="connects in flight")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for delivery")
    p.add_argument("--generator", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.size_list = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if not 1 <= args.rounds <= len(MOVES):
        p.error(f"--rounds must be 1 to {len(MOVES)}: a mandate has {len(MOVES)} council moves")
    return args


def raise_file_limit() -> int:
    """As many open files as the hard limit allows; children (the server) inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the load generator (a process of its own) ---------------------------------------------


class Subscriber(asyncio.Protocol):
    """One open stream; notes when its first `timeline` event arrives after arming."""

    MARK = b"event: timeline"

    def __init__(self, request: bytes, ready: asyncio.Future[None]) -> None:
        self.request = request
        self.ready = ready
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.tail = b""
        self.armed = False
        self.received_at: float | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.ready.done():
            self.head += data
            if not self.head.startswith(b"HTTP/1.1 200"):
                if len(self.head) > 12:
                    self.ready.set_exception(RuntimeError(self.head[:200].decode(errors="replace")))
                return
            if b"event: count" in self.head:
                self.ready.set_result(None)
                self.head = b""
            return
        if self.armed and self.received_at is None:
            # An event line may be split between two reads: keep the end of the last one.
            if self.MARK in self.tail + data:
                self.received_at = now
            self.tail = data[-len(self.MARK) :]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f"connection lost: {exc}"))


async def open_streams(command: dict[str, Any], subscribers: list[Subscriber]) -> dict[str, Any]:
    """Open `n` streams, `concurrency` at a time; each counts once its `count` arrived."""
    loop = asyncio.get_running_loop()
    request = (
        f"GET {command['path']} HTTP/1.1\r\nHost: 127.0.0.1:{command['port']}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode()
    gate = asyncio.Semaphore(command["concurrency"])
    errors: list[str] = []
    started = time.monotonic()
    opened = len(subscribers)

    async def one() -> None:
        async with gate:
            ready: asyncio.Future[None] = loop.create_future()
            try:
                _, protocol = await loop.create_connection(
                    lambda: Subscriber(request, ready), "127.0.0.1", command["port"]
                )
                await asyncio.wait_for(ready, 60)
                subscribers.append(protocol)
            except (OSError, RuntimeError, TimeoutError) as exc:
                errors.append(str(exc)[:200])

    await asyncio.gather(*(one() for _ in range(command["n"])))
    return {
        "connected": len(subscribers) - opened,
        "failed": len(errors),
        "errors": errors[:3],
        "seconds": time.monotonic() - started,
    }


async def generator() -> None:
    raise_file_limit()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    subscribers: list[Subscriber] = []

    def answer(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    while line := await reader.readline():
        command = json.loads(line)
        if command["cmd"] == "connect":
            answer(await open_streams(command, subscribers))
        elif command["cmd"] == "arm":
            for s in subscribers:
                s.armed, s.received_at, s.tail = True, None, b""
            answer({"armed": len(subscribers)})
        elif command["cmd"] == "collect":
            deadline = time.monotonic() + command["timeout"]
            while time.monotonic() < deadline:
                if all(s.received_at is not None or s.lost for s in subscribers):
                    break
                await asyncio.sleep(0.01)
            answer(
                {
                    "latencies": [
                        s.received_at - command["t0"] for s in subscribers if s.received_at
                    ],
                    "missing": sum(1 for s in subscribers if s.received_at is None),
                    "lost": sum(1 for s in subscribers if s.lost),
                }
            )
        elif command["cmd"] == "close":
            for s in subscribers:
                if s.transport is not None:
                    s.transport.close()
            closed = len(subscribers)
            subscribers.clear()
            await asyncio.sleep(0.2)
            answer({"closed": closed})
        elif command["cmd"] == "exit":
            return


class Generators:
    """The generator processes, driven over their stdin and stdout, one JSON per line."""

    def __init__(self, count: int) -> None:
        self.procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--generator"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            for _ in range(count)
        ]

    def _ask_all(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for proc, command in zip(self.procs, commands, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(command) + "\n")
            proc.stdin.flush()
        answers = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"load generator {proc.pid} exited ({proc.poll()})")
            answers.append(json.loads(line))
        return answers

    def ask(self, command: dict[str, Any]) -> list[dict[str, Any]]:
        return self._ask_all([command] * len(self.procs))

    def connect(self, port: int, path: str, n: int, concurrency: int) -> list[dict[str, Any]]:
        shares = [n // len(self.procs) + (i < n % len(self.procs)) for i in range(len(self.procs))]
        per = max(1, concurrency // len(self.procs))
        return self._ask_all(
            [
                {"cmd": "connect", "port": port, "path": path, "n": k, "concurrency": per}
                for k in shares
            ]
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    assert proc.stdin is not None
                    proc.stdin.write(json.dumps({"cmd": "exit"}) + "\n")
                    proc.stdin.close()
                    proc.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    proc.kill()
                    proc.wait(timeout=5)


# --- the web process's memory ---------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakRss:
    """The highest RSS of `pid` while it runs, sampled every 20 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


# --- the run ----------------------------------------------------------------------------------


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))
    return sorted_values[index]


async def prepare(conn: Any, server: harness.Server) -> dict[str, Any]:
    """The municipality (quorum 2), an initiator, a co-signer and a council member."""
    municipality_id = await harness.create_municipality(conn, SLUG, 2)
    initiator, signer, council = await harness.create_users(conn, 3, "live")
    await harness.declare_residence(conn, [initiator, signer, council], SLUG)
    await conn.execute(
        "INSERT INTO account_membership (user_id, municipality_id, role, created_at) "
        "VALUES ($1, $2, 'council', now())",
        council,
        municipality_id,
    )
    await conn.execute("UPDATE account_user SET display_name = 'Rat' WHERE id = $1", council)
    tokens = await harness.mint_tokens(
        conn, server.secret_key, [initiator, signer, council], hours=6
    )
    return dict(zip(("initiator", "signer", "council"), tokens, strict=True))


async def submitted_mandate(client: httpx.AsyncClient, tokens: dict[str, str], size: int) -> int:
    mandate = harness.create_published_mandate(
        str(client.base_url), tokens["initiator"], SLUG, f"Followed by {size:,} pages"
    )
    signed = await client.post(
        f"/api/v1/mandates/{mandate}/signatures",
        headers={"Authorization": f"Bearer {tokens['signer']}"},
    )
    if signed.status_code != 201:
        raise SystemExit(f"co-signing failed: {signed.status_code} {signed.text}")
    for _ in range(100):
        if (await client.get(f"/api/v1/mandates/{mandate}")).json()["status"] == "submitted":
            return mandate
        await asyncio.sleep(0.05)
    raise SystemExit(f"mandate {mandate} did not reach its quorum")


async def newest_entry(client: httpx.AsyncClient, mandate: int) -> int:
    items = (await client.get(f"/api/v1/mandates/{mandate}/timeline")).json()["items"]
    return max(item["id"] for item in items)


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    limit = raise_file_limit()
    if args.size_list[-1] // args.generators + 100 > limit:
        raise SystemExit(f"open-file limit {limit} too low; use more --generators")
    await harness.recreate_database(args.database_url)
    server = harness.Server(args.database_url, redis_url=args.redis_url)
    generators: Generators | None = None
    rows: list[dict[str, Any]] = []
    try:
        server.start()
        assert server.proc is not None
        pid = server.proc.pid
        conn = await harness.connect(harness.plain_dsn(args.database_url))
        try:
            tokens = await prepare(conn, server)
        finally:
            await conn.close()
        generators = Generators(args.generators)
        idle = rss_mb(pid)
        log(f"web process {pid}: {idle:.0f} MB RSS before any stream; fd limit {limit}")
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
            for size in args.size_list:
                mandate = await submitted_mandate(client, tokens, size)
                path = (
                    f"/api/v1/mandates/{mandate}/timeline/stream"
                    f"?last_event_id={await newest_entry(client, mandate)}"
                )
                with PeakRss(pid) as connecting:
                    answers = generators.connect(server.port, path, size, args.connect_concurrency)
                connected = sum(a["connected"] for a in answers)
                failed = sum(a["failed"] for a in answers)
                seconds = max(a["seconds"] for a in answers)
                log(
                    f"{size:,}: {connected:,} streams open in {seconds:.1f}s "
                    f"({connected / seconds:,.0f}/s), {failed} failed"
                    + (f": {answers[0]['errors'] or answers[-1]['errors']}" if failed else "")
                )
                open_rss = rss_mb(pid)
                for n, move in enumerate(MOVES[: args.rounds], start=1):
                    generators.ask({"cmd": "arm"})
                    await asyncio.sleep(0.5)  # let the count events of the last round pass
                    with PeakRss(pid) as delivering:
                        t0 = time.monotonic()
                        moved = await client.post(
                            f"/api/v1/mandates/{mandate}/transitions",
                            json={"to": move},
                            headers={"Authorization": f"Bearer {tokens['council']}"},
                        )
                        committed = time.monotonic() - t0
                        if moved.status_code != 200:
                            raise SystemExit(f"move failed: {moved.status_code} {moved.text}")
                        results = generators.ask(
                            {"cmd": "collect", "t0": t0, "timeout": args.timeout}
                        )
                    latencies = sorted(x for r in results for x in r["latencies"])
                    row = {
                        "size": size,
                        "round": n,
                        "move": move,
                        "connected": connected,
                        "received": len(latencies),
                        "commit_ms": committed * 1000,
                        "p50_ms": quantile(latencies, 0.50) * 1000,
                        "p99_ms": quantile(latencies, 0.99) * 1000,
                        "p100_ms": quantile(latencies, 1.0) * 1000,
                        "rss_open_mb": open_rss,
                        "rss_peak_mb": max(delivering.peak, connecting.peak),
                    }
                    rows.append(row)
                    log(
                        f"{size:,} round {n} ({move}): {row['received']:,}/{connected:,} in "
                        f"p50 {row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms, "
                        f"100 % {row['p100_ms']:.0f} ms (POST {row['commit_ms']:.0f} ms); "
                        f"RSS {open_rss:.0f} MB open, {row['rss_peak_mb']:.0f} MB peak"
                    )
                generators.ask({"cmd": "close"})
                await asyncio.sleep(1.0)
    finally:
        if generators is not None:
            generators.stop()
        server.stop()
        await harness.drop_database(args.database_url)
    report(rows, idle)
    return 0


def report(rows: list[dict[str, Any]], idle: float) -> None:
    print()
    print("Live fan-out: one web process (auftrag serve, PostgreSQL + Redis live bus)")
    print(f"web process RSS with no stream open: {idle:.0f} MB")
    print()
    print(
        "| subscribers | received (fewest) | 50 % ms | 99 % ms | 100 % ms "
        "| RSS open MB | RSS peak MB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    by_size: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_size.setdefault(row["size"], []).append(row)
    for size, measured in by_size.items():
        print(
            f"| {size:,} | {min(r['received'] for r in measured):,}/{measured[0]['connected']:,} "
            f"| {summary.spread([r['p50_ms'] for r in measured])} "
            f"| {summary.spread([r['p99_ms'] for r in measured])} "
            f"| {summary.spread([r['p100_ms'] for r in measured])} "
            f"| {summary.spread([r['rss_open_mb'] for r in measured])} "
            f"| {summary.spread([r['rss_peak_mb'] for r in measured])} |"
        )
    print()
    print(f"median (min–max) over {max(r['round'] for r in rows)} rounds per size")
    target = by_size.get(TARGET_SIZE) or by_size[max(by_size)]
    size = target[0]["size"]
    p99 = statistics.median(r["p99_ms"] for r in target) / 1000
    rss = statistics.median(r["rss_peak_mb"] for r in target)
    complete = all(r["received"] == r["connected"] for r in target)
    print(
        f"at {size:,}: 99 % after {p99:.2f} s = {p99 / TARGET_P99_S:.2f} × the 1 s target "
        f"({'met' if p99 <= TARGET_P99_S else 'MISSED'}); peak RSS {rss:.0f} MB = "
        f"{rss / TARGET_RSS_MB:.2f} × the 300 MB target "
        f"({'met' if rss < TARGET_RSS_MB else 'MISSED'}); "
        f"{'every' if complete else 'NOT every'} stream received the entry"
    )


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.generator:
        asyncio.run(generator())
    else:
        sys.exit(asyncio.run(main(arguments)))
