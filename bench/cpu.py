"""CPU time of the benchmark's own processes over a window of a run.

Counting every PostgreSQL process on the machine would charge the benchmark with other
people's test databases, so only two kinds of process count: the server's process
tree, and the PostgreSQL client backends connected to the benchmark's database (found
by pid in `pg_stat_activity`), except the driver's own connections, which set
`application_name` to `DRIVER_APP`. Backends come and go (pools grow, pgbench connects),
so a poller keeps each one's latest reading; one that ended between two polls loses at
most one interval, which is why pgbench is measured inside its run, not around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DRIVER_APP = "auftrag-bench-driver"

_BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' "
    "AND application_name IS DISTINCT FROM $2"
)


def process_ticks(pid: int) -> int | None:
    """utime + stime of a process in clock ticks, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (uvicorn workers, the Markdown pool)."""
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                queue.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _reaped_children() -> float:
    """CPU seconds of this process's children that have ended (wrk, pgbench)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Usage:
    """CPU seconds used in a window of `seconds`; `other` is the rest of the machine
    (other people's work, and PostgreSQL's shared processes such as the WAL writer)."""

    seconds: float
    server: float
    postgres: float
    load: float  # wrk or pgbench, children of the driver that ended in the window
    driver: float
    other: float

    def percent(self, what: str) -> float:
        """Share of one core over the window."""
        return 100 * getattr(self, what) / self.seconds if self.seconds else 0.0


class _Tally:
    """First and latest reading per pid: a pid first seen after the start counts from 0."""

    def __init__(self) -> None:
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.started = False

    def read(self, pids: list[int]) -> None:
        for pid in pids:
            ticks = process_ticks(pid)
            if ticks is None:
                continue
            self.first.setdefault(pid, ticks if not self.started else 0)
            self.last[pid] = ticks

    def seconds(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last) / CLOCK_TICKS


class CpuMeter:
    """`async with CpuMeter(...) as meter:` … then `meter.usage`. Without `admin_dsn`
    (a server on SQLite) there are no backends to count."""

    def __init__(
        self, admin_dsn: str | None, database: str, server_pid: int, interval: float = 0.2
    ) -> None:
        self.admin_dsn = admin_dsn
        self.database = database
        self.server_pid = server_pid
        self.interval = interval
        self.usage: Usage | None = None

    async def _sample(self) -> None:
        self._server.read(process_tree(self.server_pid))
        if self._conn is not None:
            rows = await self._conn.fetch(_BACKENDS, self.database, DRIVER_APP)
            self._postgres.read([r["pid"] for r in rows])

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._sample()

    async def __aenter__(self) -> CpuMeter:
        # The maintenance database: this connection is no backend of the benchmark's.
        self._conn = await asyncpg.connect(self.admin_dsn) if self.admin_dsn else None
        self._server, self._postgres = _Tally(), _Tally()
        await self._sample()
        self._server.started = self._postgres.started = True
        self._driver = process_ticks(os.getpid()) or 0
        self._children = _reaped_children()
        self._machine = _machine_ticks()
        self._at = time.monotonic()
        self._poller = asyncio.create_task(self._poll())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._poller
        try:
            await self._sample()
        finally:
            if self._conn is not None:
                await self._conn.close()
        seconds = time.monotonic() - self._at
        busy = _machine_ticks()[0] - self._machine[0]
        server, postgres = self._server.seconds(), self._postgres.seconds()
        load = _reaped_children() - self._children
        driver = ((process_ticks(os.getpid()) or 0) - self._driver) / CLOCK_TICKS
        other = max(0.0, busy / CLOCK_TICKS - server - postgres - load - driver)
        self.usage = Usage(seconds, server, postgres, load, driver, other)


def ms_per(cpu_seconds: float, count: float) -> float:
    """CPU milliseconds per unit of work."""
    return 1000 * cpu_seconds / count if count else float("nan")
