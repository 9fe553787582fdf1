"""The database reference: pgbench running the server's statement, with no Python client.

A reference driven from Python is held back by its own client (pgbench runs the same
INSERT at about twice the rate of asyncpg tasks on this machine), so the reference is
pgbench with a script of the statement the server runs per request, at the same
concurrency as wrk. Every transaction takes the next user id of its client
(`first_user + (client_id + clients * k) mod users`), so no two are the same person
until the block of users wraps around, which the caller sees as fewer rows than
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

import cpu

PGBENCH = os.environ.get("PGBENCH") or shutil.which("pgbench") or "/usr/bin/pgbench"


@dataclass
class Reference:
    rate: float  # transactions per second, pgbench's own figure without connection time
    latency_ms: float  # pgbench's average latency
    transactions: int
    failed: int
    window_work: int  # what `count` grew by inside the CPU window
    usage: cpu.Usage  # CPU inside that window


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
    try:
        await asyncio.sleep(margin)
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
    if proc.returncode != 0:
        raise SystemExit(f"pgbench failed ({proc.returncode}):\n{text}")
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    assert window.usage is not None
    return Reference(
        rate=_field(r"^tps = ([\d.]+)", text),
        latency_ms=_field(r"^latency average = ([\d.]+) ms", text),
        transactions=int(_field(r"^number of transactions actually processed: (\d+)", text)),
        failed=int(failed.group(1)) if failed else 0,
        window_work=after - before,
        usage=window.usage,
    )
