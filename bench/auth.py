"""What being signed in costs per request: verifying the access JWT and loading the actor.

Against the real server (`auftrag serve`, production settings, as a subprocess) on a
fresh PostgreSQL database, and with `--databases postgres,sqlite` on a SQLite file too,
this sends --requests (default 10,000) anonymous and as many signed-in requests to each of

* `GET /api/v1/mandates/{id}/timeline`. The endpoint reads the actor only to decide
  whether a draft is visible, so the difference is exactly verifying the token and
  loading the actor (one query, which also checks that the session is open and the
  person not suspended). Target: the difference of the medians under 0.3 ms.
* `GET /api/v1/mandates/{id}`. There a signed-in reader also learns whether she
  co-signed (one more query): what a signed-in reader pays in all.

The anonymous and the signed-in requests alternate, one at a time over two keep-alive
connections (which goes first alternates too), so both see the same machine: on a shared
box a run of 10,000 one way and then 10,000 the other way measures mostly who else was
busy when. Latencies are service times plus this client's small, equal share. It prints
p50/p90/p99 per kind, the difference of the medians and their ratio, the CPU used by
everything else meanwhile (noise), and the median time to verify one token in this
process (PyJWT alone).

    /work/venv/bin/python bench/auth.py [--databases postgres,sqlite] [--requests 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpu  # noqa: E402
import harness  # noqa: E402
from harness import log  # noqa: E402

TARGET_MS = 0.3
READER = "bench-reader@example.org"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Per-request cost of the access JWT and the actor, signed in vs anonymous.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/auftrag_bench_auth",
        help="PostgreSQL URL of the benchmark database; it is DROPPED and recreated",
    )
    p.add_argument("--databases", default="postgres", help="postgres, sqlite or both")
    p.add_argument("--requests", type=int, default=10_000, help="requests of each kind per path")
    p.add_argument("--warmup", type=int, default=1_000, help="pairs per path before measuring")
    p.add_argument("--port", type=int, default=0, help="server port; 0 picks a free one")
    p.add_argument("--app-dir", type=Path, default=None, help="serve another checkout (A/B)")
    p.add_argument("--keep-database", action="store_true", help="do not drop it at exit")
    args = p.parse_args(argv)
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not args.database_list or set(args.database_list) - {"postgres", "sqlite"}:
        p.error("--databases takes postgres, sqlite or both")
    if args.requests < 100:
        p.error("--requests must be at least 100")
    return args


class Connection:
    """One keep-alive HTTP/1.1 connection that sends one prepared GET again and again."""

    def __init__(self, port: int, path: str, token: str | None) -> None:
        self.port = port
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()

    async def __aenter__(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()
        await self.writer.wait_closed()

    async def get(self) -> int:
        """Send the request, read the whole response; returns its status."""
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length:")
        )
        await self.reader.readexactly(length)
        return int(lines[0].split()[1])


async def alternate(
    port: int, path: str, token: str, count: int
) -> tuple[list[float], list[float]]:
    """Latencies in ms of `count` anonymous and `count` signed-in GETs, taken in turns."""
    anonymous: list[float] = []
    signed_in: list[float] = []
    async with Connection(port, path, None) as anon, Connection(port, path, token) as auth:
        pairs = [(anon, anonymous), (auth, signed_in)]
        gc.disable()
        try:
            for n in range(count):
                for connection, latencies in pairs if n % 2 == 0 else pairs[::-1]:
                    started = time.perf_counter()
                    status = await connection.get()
                    latencies.append((time.perf_counter() - started) * 1000)
                    if status != 200:
                        raise SystemExit(f"GET {path}: status {status}")
        finally:
            gc.enable()
    return anonymous, signed_in


def cli(server: harness.Server, *args: str) -> str:
    """An `auftrag` command against the benchmark server's database and secret."""
    assert server.workdir is not None
    env = {
        **os.environ,
        "DATABASE_URL": server.served_url,
        "SECRET_KEY": server.secret_key,
        "AUFTRAG_VAR_DIR": str(server.workdir / "var"),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [harness.AUFTRAG, *args], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise SystemExit(f"auftrag {args[0]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout.strip()


def collecting_mandate(base: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as client:
        listed = client.get("/api/v1/municipalities/demo/mandates", params={"status": "collecting"})
    items = listed.json()["items"] if listed.status_code == 200 else []
    if not items:
        raise SystemExit(f"no collecting demo mandate: {listed.status_code} {listed.text}")
    return items[0]["id"]


def jwt_verify_ms(secret_key: str, count: int) -> float:
    """Median time of server.auth.read_token on one token, in this process."""
    sys.path.insert(0, str(harness.REPO))
    from server.auth import issue_token, read_token
    from server.settings import Settings

    settings = Settings(
        var_dir=Path(tempfile.gettempdir()), database_url="sqlite://:memory:", secret_key=secret_key
    )
    token = issue_token(settings, 1, 1, timedelta(hours=1))
    times = []
    for _ in range(count):
        started = time.perf_counter()
        read_token(settings, token)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _percentiles(latencies: list[float]) -> str:
    return " / ".join(f"{harness.percentile(latencies, q):.3f}" for q in (50, 90, 99))


async def bench_database(args: argparse.Namespace, database: str) -> list[str]:
    scratch = Path(tempfile.mkdtemp(prefix="auftrag-auth-"))
    if database == "postgres":
        url = args.database_url
        await harness.recreate_database(url)
    else:
        url = f"sqlite://{scratch / 'auth.sqlite3'}"
    server = harness.Server(url, port=args.port, app_dir=args.app_dir)
    lines: list[str] = []
    try:
        server.start()
        assert server.proc is not None
        cli(server, "demo")
        token = cli(server, "token", "--email", READER, "--verified", "--hours", "2")
        mandate = collecting_mandate(server.base)
        paths = [
            ("GET /api/v1/mandates/{id}/timeline", f"/api/v1/mandates/{mandate}/timeline"),
            ("GET /api/v1/mandates/{id}", f"/api/v1/mandates/{mandate}"),
        ]
        cells, verdicts = [], []
        for n, (label, path) in enumerate(paths):
            await alternate(server.port, path, token, args.warmup)
            log(f"{database}: {label}, {args.requests:,} requests of each kind")
            admin, name = harness.split_database_url(url) if database == "postgres" else (None, "")
            # Polled seldom: the poller shares the loop with the requests it would delay.
            async with cpu.CpuMeter(admin, name, server.proc.pid, interval=2.0) as meter:
                anonymous, signed_in = await alternate(server.port, path, token, args.requests)
            assert meter.usage is not None
            difference = statistics.median(signed_in) - statistics.median(anonymous)
            ratio = statistics.median(signed_in) / statistics.median(anonymous)
            cells.append(
                [
                    label,
                    _percentiles(anonymous),
                    _percentiles(signed_in),
                    f"{difference:+.3f}",
                    f"{ratio:.2f}",
                    f"{meter.usage.percent('other'):.0f}%",
                ]
            )
            verdict = f"{label}: signing in adds {difference:+.3f} ms per request (median)"
            if n == 0:
                met = "MET" if difference < TARGET_MS else "NOT MET"
                verdict += f", target < {TARGET_MS} ms: {met}"
            verdicts.append(verdict)
        headers = [
            "endpoint", "anonymous p50/p90/p99 ms", "signed in p50/p90/p99 ms", "p50 diff ms",
            "ratio", "noise",
        ]  # fmt: skip
        lines += [
            "",
            f"== {database}: {args.requests:,} anonymous and {args.requests:,} signed-in requests "
            f"per endpoint, in turns, one at a time; {harness.describe_app(args.app_dir)} ==",
            harness.table(headers, cells),
            "",
            "p50 diff: signed-in median minus anonymous median; ratio: signed-in / anonymous "
            "median; noise: CPU used by everything else on the machine, % of one core",
            *verdicts,
        ]
    finally:
        server.stop()
        harness.remove_tree(scratch)
        if database == "postgres":
            if args.keep_database:
                log("database kept (--keep-database)")
            else:
                await harness.drop_database(args.database_url)
    return lines


async def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    report: list[str] = []
    for database in args.database_list:
        report += await bench_database(args, database)
    verify = jwt_verify_ms("bench-" + "k" * 40, args.requests)
    report += [
        "",
        f"verifying one access JWT (PyJWT, HS256) in this process: {verify:.3f} ms median",
    ]
    print("\n".join(report), flush=True)
    return 0


if __name__ == "__main__":
    harness.run(main, parse_args())
