"""The database reference: pgbench running the server's statement, with no Python client.

A reference driven from Python is held back by its own client (issue 9 found pgbench
running the same INSERT at about twice the rate of the asyncpg tasks used before), so
the reference is pgbench with a script of the statement the server runs per request, at
the same concurrency as wrk. PostgreSQL's connections are shared with whoever else uses
it, so pgbench waits for N free ones and tries again when one was refused; and N is
capped at `max_connections` less HEADROOM (here 100 - 30: N = 256 runs pgbench with 70
clients), which the caller reports.

Every transaction takes the next user id of its client (`first_user + (client_id +
clients * k) mod users`, with `clients` and `k` defined here), so no two are the same
person until the block of users wraps around, which the caller sees as fewer rows than
transactions.

CPU is measured inside the run — from a little after pgbench has connected to a little
before it ends — since its backends exit with it; the work done in that window is
counted by the caller's `count` (rows in the database), not by pgbench.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import cpu
from harness import log

PGBENCH = os.environ.get("PGBENCH") or shutil.which("pgbench") or "/usr/bin/pgbench"


# Connections left to others: the server's pool (20), the driver's and the meter's own.
HEADROOM = 30


@dataclass
class Reference:
    clients: int  # pgbench's clients: N, or fewer if PostgreSQL has not the connections
    rate: float  # transactions per second, pgbench's own figure without connection time
    latency_ms: float  # pgbench's average latency
    transactions: int
    failed: int
    window_work: int  # what `count` grew by inside the CPU window
    usage: cpu.Usage  # CPU inside that window


class _TooManyClients(Exception):
    """PostgreSQL refused a client: its connections are shared with whoever else runs."""


_FREE_SLOTS = (
    "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity "
    "WHERE backend_type = 'client backend'"
)


async def _driver_connection(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn, server_settings={"application_name": cpu.DRIVER_APP})


async def _wait_for_slots(dsn: str, needed: int, polls: int = 60) -> None:
    """Until `needed` connections are free, polling each second, at most `polls` times:
    others' test suites come and go on a shared PostgreSQL, and may fill it."""
    for _ in range(polls):
        with contextlib.suppress(asyncpg.TooManyConnectionsError):
            conn = await _driver_connection(dsn)
            try:
                if await conn.fetchval(_FREE_SLOTS) >= needed:
                    return
            finally:
                await conn.close()
        await asyncio.sleep(1.0)


def _field(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.M)
    if not match:
        raise SystemExit(f"pgbench output without {pattern!r}:\n{text}")
    return float(match.group(1))


async def run(
    dsn: str,
    script: Path,
    variables: dict[str, object],
    *,
    clients: int,
    threads: int,
    duration: float,
    meter: Callable[[], cpu.CpuMeter],
    count: Callable[[], Awaitable[int]],
    attempts: int = 3,
) -> Reference:
    conn = await _driver_connection(dsn)
    try:
        most = int(await conn.fetchval("SHOW max_connections")) - HEADROOM
        script = await _for_schema(conn, script)
    finally:
        await conn.close()
    if clients > most:
        log(f"pgbench: {clients} clients would not fit PostgreSQL's connections; {most} do")
        clients = most
    variables = {**variables, "clients": clients, "k": 0}
    for attempt in range(1, attempts + 1):
        # A few spare connections for the driver, the meter and the server's pool growing.
        await _wait_for_slots(dsn, clients + 5)
        try:
            return await _run_once(
                dsn, script, variables, clients=clients, threads=threads, duration=duration,
                meter=meter, count=count,
            )  # fmt: skip
        except _TooManyClients:
            log(f"pgbench: PostgreSQL refused a client (too many), attempt {attempt}/{attempts}")
            await asyncio.sleep(5.0)
    raise SystemExit(f"pgbench could not connect {clients} clients: PostgreSQL is full")


async def _for_schema(conn: asyncpg.Connection, script: Path) -> Path:
    """The script for the code under test: before issue 9 an outbox row had only a
    mandate id (`<name>.before-issue-9.sql`), since then the whole envelope (bench/ab.py
    runs both with the same bench/ files)."""
    legacy = await conn.fetchval(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'outbox_event' AND column_name = 'mandate_id'"
    )
    return script.with_suffix(".before-issue-9.sql") if legacy else script


async def _run_once(
    dsn: str,
    script: Path,
    variables: dict[str, object],
    *,
    clients: int,
    threads: int,
    duration: float,
    meter: Callable[[], cpu.CpuMeter],
    count: Callable[[], Awaitable[int]],
) -> Reference:
    seconds = max(2, round(duration))
    command = [
        PGBENCH, "--no-vacuum", "--protocol=prepared", f"--client={clients}",
        f"--jobs={max(1, min(threads, clients))}", f"--time={seconds}", f"--file={script}",
        *(f"--define={k}={v}" for k, v in variables.items()), dsn,
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    # Connecting N clients takes up to a few hundred ms; the window keeps clear of it
    # and of the end, where the backends exit.
    margin = min(1.0, seconds / 5)
    window = None
    try:
        await asyncio.sleep(margin)
        if proc.returncode is None:
            async with meter() as window:
                before = await count()
                await asyncio.sleep(seconds - 2 * margin)
                after = await count()
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=seconds + 60)
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    text = out.decode(errors="replace")
    if "too many clients" in text:
        raise _TooManyClients
    if proc.returncode != 0 or window is None or window.usage is None:
        raise SystemExit(f"pgbench failed ({proc.returncode}):\n{text}")
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    return Reference(
        clients=clients,
        rate=_field(r"^tps = ([\d.]+)", text),
        latency_ms=_field(r"^latency average = ([\d.]+) ms", text),
        transactions=int(_field(r"^number of transactions actually processed: (\d+)", text)),
        failed=int(failed.group(1)) if failed else 0,
        window_work=after - before,
        usage=window.usage,
    )
