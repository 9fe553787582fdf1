"""Shared plumbing for the benchmarks: a throw-away database, the real server as a
subprocess, bulk users with bearer tokens, and wrk runs with a Lua script.

Everything here talks to loopback addresses only and cleans up after itself:
the database is dropped and every process this module started is ended by its id.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import cpu
import httpx

REPO = Path(__file__).resolve().parent.parent
READ_SCRIPT = REPO / "bench" / "read.lua"
VENV_BIN = Path(sys.executable).parent
AUFTRAG = str(VENV_BIN / "auftrag")
WRK = os.environ.get("WRK", "/usr/bin/wrk")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- database -----------------------------------------------------------------------------


def split_database_url(url: str) -> tuple[str, str]:
    """(url of the maintenance database `postgres`, name of the benchmark database)."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    parts = urlsplit(url)
    if parts.scheme != "postgres":
        raise SystemExit(f"--database-url must be postgres://…, got {url!r}")
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing a non-loopback database host {parts.hostname!r}")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name or ""):
        raise SystemExit(f"benchmark database name must be a plain identifier, got {name!r}")
    if name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to drop and recreate {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres", query=""))
    return admin, name


def plain_dsn(url: str) -> str:
    """The URL without Tortoise's query parameters, for asyncpg."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    return urlunsplit(urlsplit(url)._replace(query=""))


async def connect(dsn: str) -> asyncpg.Connection:
    """A connection of the driver's own, which the CPU meter does not count as the app's."""
    return await asyncpg.connect(dsn, server_settings={"application_name": cpu.DRIVER_APP})


async def recreate_database(url: str) -> None:
    admin, name = split_database_url(url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    admin, name = split_database_url(url)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# --- the server ---------------------------------------------------------------------------


def describe_app(app_dir: Path | None) -> str:
    """Which code is being measured: the commit, and whether the app's files differ from it."""
    import shutil

    root = app_dir or REPO
    if app_dir is not None or not shutil.which("git"):
        return f"app from {root}"
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        changed = subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "status",
                "--porcelain",
                "--",
                "server",
                "participation",
                "notifications",
                "migrations",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"app from {root}"
    return f"app at commit {commit}" + (" with uncommitted changes" if changed else "")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """`auftrag serve` as a subprocess in its own process group."""

    database_url: str
    workers: int = 1
    port: int = 0
    redis_url: str | None = None
    pool_max: int | None = None
    # Another checkout of the app to serve instead (for A/B runs of a change); default REPO.
    app_dir: Path | None = None
    # Benchmarks send thousands of requests from one address: abuse limits off by default.
    rate_limits: str = "off"
    extra_env: dict[str, str] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    proc: subprocess.Popen | None = None
    workdir: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def served_url(self) -> str:
        if self.database_url.startswith("sqlite://"):
            return self.database_url
        url = plain_dsn(self.database_url)
        if self.pool_max:
            url += f"?maxsize={self.pool_max}"
        return url

    def start(self, timeout: float = 90.0) -> None:
        if self.workers > 1 and not self.redis_url:
            raise SystemExit("--workers > 1 needs a Redis URL (--redis-url)")
        self.port = self.port or free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="auftrag-bench-"))
        env = {
            **os.environ,
            "DATABASE_URL": self.served_url,
            "SECRET_KEY": self.secret_key,
            "AUFTRAG_VAR_DIR": str(self.workdir / "var"),
            "PYTHONUNBUFFERED": "1",
            "RATE_LIMITS": self.rate_limits,
            **self.extra_env,
        }
        if self.app_dir:
            env["PYTHONPATH"] = os.pathsep.join([str(self.app_dir), env.get("PYTHONPATH", "")])
        env.pop("AUFTRAG_DEBUG", None)
        env.pop("AUFTRAG_DEMO", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        else:
            env.pop("REDIS_URL", None)
        command = [
            AUFTRAG, "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers),
        ]  # fmt: skip
        log(
            f"starting {' '.join(command[1:])} (pool maxsize {self.pool_max or 'default'}"
            + (f", app from {self.app_dir})" if self.app_dir else ")")
        )
        self._log = open(self.workdir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/api/v1/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"server did not become healthy in {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if not self.workdir or not (self.workdir / "server.log").exists():
            return ""
        text = (self.workdir / "server.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # The group was created for this server alone (start_new_session).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        self._log.close()
        if os.environ.get("BENCH_KEEP_LOGS"):
            log(f"server log kept in {self.workdir}")
        else:
            with contextlib.suppress(OSError):
                (self.workdir / "server.log").unlink()
                _rmtree(self.workdir)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def remove_tree(path: Path) -> None:
    _rmtree(path)


def exit_on_signals() -> None:
    """Turn SIGTERM/SIGHUP into SystemExit and SIGINT into KeyboardInterrupt, so every
    `finally` cleans up."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
    # Also when started in the background, where the shell ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)


# --- data ---------------------------------------------------------------------------------


async def create_municipality(conn: asyncpg.Connection, slug: str, quorum: int) -> int:
    """A municipality at the email level for every action.

    Before issue 9 the levels were three columns without a database default; after it
    the email level is the absence of a row. Both schemas are benchmarked (bench/ab.py).
    Columns the ORM fills with a default but the database has none for (the moderation
    settings of issue 11) get the model's default when the schema has them, so older
    checkouts still run.
    """
    present = {
        r["column_name"]
        for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'municipality'"
        )
    }
    extra = {name: value for name, value in _MUNICIPALITY_DEFAULTS.items() if name in present}
    columns = "".join(f", {name}" for name in extra)
    values = "".join(f", {value}" for value in extra.values())
    return await conn.fetchval(
        "INSERT INTO municipality (slug, name, default_quorum, signature_period_days, "
        f"service_promise_days, created_at{columns}) VALUES ($1, $2, $3, 90, 5, now(){values}) "
        "RETURNING id",
        slug,
        f"Benchmark {slug}",
        quorum,
    )


# Column → SQL literal of the model's default, for columns without a database default.
_MUNICIPALITY_DEFAULTS = {
    "launch_level": "'email_verified'",
    "sign_level": "'email_verified'",
    "vote_level": "'email_verified'",
    "flag_threshold": "3",
    "new_account_hours": "24",
}


async def create_users(conn: asyncpg.Connection, count: int, prefix: str) -> list[int]:
    """`count` verified users in one statement; returns their ids in order."""
    rows = await conn.fetch(
        "INSERT INTO account_user (email, display_name, email_verified, created_at) "
        "SELECT $1 || g || '@bench.invalid', 'Bench ' || g, true, now() "
        "FROM generate_series(1, $2::int) AS g RETURNING id",
        prefix + "-",
        count,
    )
    return sorted(r["id"] for r in rows)


async def declare_residence(conn: asyncpg.Connection, user_ids: list[int], slug: str) -> None:
    """The users declare they live in municipality `slug`, as co-signing, launching and
    voting at the email level need; skipped for an app from before residence existed."""
    if await conn.fetchval("SELECT to_regclass('account_residence_declaration')") is None:
        return
    await conn.execute(
        "WITH home AS (SELECT id FROM municipality WHERE slug = $2), "
        "declared AS (INSERT INTO account_residence_declaration "
        "(user_id, municipality_id, source, declared_at) "
        "SELECT u, home.id, 'declared', now() FROM unnest($1::int[]) AS u, home RETURNING user_id) "
        "INSERT INTO account_residence_change (user_id, to_municipality_id, source, created_at) "
        "SELECT user_id, (SELECT id FROM home), 'declared', now() FROM declared",
        user_ids,
        slug,
    )


async def open_sessions(conn: asyncpg.Connection, user_ids: list[int], hours: float) -> list[int]:
    """One open API session per user, in one statement; returns their ids in `user_ids` order.

    Access tokens must name an open server-side session (`account_session`), which the
    server checks on every request in the query that loads the actor.
    """
    rows = await conn.fetch(
        "INSERT INTO account_session (user_id, secret_hash, kind, device, last_used_at, "
        "expires_at, created_at) "
        "SELECT u, encode(sha256(gen_random_uuid()::text::bytea), 'hex'), 'api', 'bench', "
        "now(), now() + make_interval(secs => $2), now() "
        "FROM unnest($1::int[]) WITH ORDINALITY AS t(u, n) ORDER BY n RETURNING id, user_id",
        user_ids,
        hours * 3600,
    )
    by_user = {r["user_id"]: r["id"] for r in rows}
    return [by_user[uid] for uid in user_ids]


async def mint_tokens(
    conn: asyncpg.Connection, secret_key: str, user_ids: list[int], hours: float = 2.0
) -> list[str]:
    """Bearer tokens exactly as the server issues them (server.auth.issue_token), each for a
    session of its own opened for the user."""
    sys.path.insert(0, str(REPO))
    from server.auth import issue_token
    from server.settings import Settings

    settings = Settings(
        var_dir=Path(tempfile.gettempdir()), database_url="sqlite://:memory:", secret_key=secret_key
    )
    lifetime = timedelta(hours=hours)
    session_ids = await open_sessions(conn, user_ids, hours)
    return [
        issue_token(settings, uid, sid, lifetime)
        for uid, sid in zip(user_ids, session_ids, strict=True)
    ]


def create_published_mandate(base: str, token: str, slug: str, title: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        r = client.post(
            f"/api/v1/municipalities/{slug}/mandates",
            json={"title": title, "summary": "Benchmark mandate.", "body": "Co-sign me."},
        )
        if r.status_code != 201:
            raise SystemExit(f"launching a mandate failed: {r.status_code} {r.text}")
        mandate_id = r.json()["id"]
        r = client.post(f"/api/v1/mandates/{mandate_id}/publish")
        if r.status_code != 200 or r.json()["status"] != "collecting":
            raise SystemExit(f"publishing mandate {mandate_id} failed: {r.status_code} {r.text}")
    return mandate_id


# --- wrk ----------------------------------------------------------------------------------


@dataclass
class WrkResult:
    fields: dict[str, float]
    stdout: str

    def __getitem__(self, key: str) -> float:
        return self.fields[key]


async def run_wrk(
    url: str,
    script: Path,
    script_args: list[str],
    *,
    connections: int,
    threads: int,
    duration: float,
    request_timeout: float = 10.0,
) -> WrkResult:
    """Run wrk to completion (bounded) and parse the `BENCH k=v …` line the script prints."""
    threads = max(1, min(threads, connections))
    command = [
        WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
        f"--timeout={request_timeout:g}s", "-s", str(script), url, "--", *script_args,
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=duration + request_timeout + 30)
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    text = out.decode(errors="replace")
    match = re.search(r"^BENCH (.*)$", text, re.M)
    if proc.returncode != 0 or not match:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{text}")
    fields = {k: float(v) for k, v in (kv.split("=", 1) for kv in match.group(1).split())}
    return WrkResult(fields, text)


@dataclass
class Health:
    """`GET /api/v1/health` (one `SELECT 1` through the whole stack) with wrk: the floor a
    request of the app stands on, measured in the same round as the request compared."""

    rate: float
    p50_ms: float
    server_ms: float  # server CPU milliseconds per request


async def measure_health(
    server: Server, database_url: str, *, connections: int, threads: int, duration: float
) -> Health:
    admin, name = split_database_url(database_url)
    assert server.proc is not None
    async with cpu.CpuMeter(admin, name, server.proc.pid) as meter:
        result = await run_wrk(
            server.base,
            READ_SCRIPT,
            ["/api/v1/health", "-"],
            connections=connections,
            threads=threads,
            duration=duration,
        )
    assert meter.usage is not None
    requests = result["requests"]
    return Health(
        rate=requests / (result["duration_us"] / 1e6),
        p50_ms=result["p50_us"] / 1000,
        server_ms=cpu.ms_per(meter.usage.server, requests),
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run(main: Callable[[argparse.Namespace], Awaitable[int]], args: argparse.Namespace) -> None:
    """Run a benchmark's `main` on uvloop when available, exiting with its status."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        sys.exit(asyncio.run(main(args)))
    except KeyboardInterrupt:
        log("interrupted; the server and the database were cleaned up")
        sys.exit(130)
