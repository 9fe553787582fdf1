"""Fixtures shared by every test: a fresh database, a running app, a client and tokens.

The database is SQLite unless DATABASE_URL points at PostgreSQL. SQLite: one migrated
template file per session, copied for each test. PostgreSQL: one fresh database per
session, migrated once and emptied before each test, dropped at the end.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from starlette.applications import Starlette

from participation import db
from participation.actors import Actor
from participation.council import queue as council_queue
from participation.files import storage
from participation.files.storage import LocalStorage
from participation.mandates import commands as mandate_commands
from participation.municipalities import queries as municipality_queries
from server.app import create_app
from server.settings import Settings
from tests.support import bearer_token, make_settings

ENV_DATABASE_URL = os.environ.get("DATABASE_URL", "")
USE_POSTGRES = ENV_DATABASE_URL.startswith(("postgres://", "postgresql://"))
REDIS_URL = os.environ.get("REDIS_URL") or None
# AUFTRAG_CHROMIUM names another binary; CI points it nowhere for the no-services run,
# which stands for a fresh machine, since the PostgreSQL run drives the browser anyway.
CHROMIUM = Path(os.environ.get("AUFTRAG_CHROMIUM", "/usr/bin/chromium"))
# The tests' own database may hold more connections than the app's default of 20:
# the concurrency test signs with 200 people at once.
TEST_POOL = "maxsize=50"

_SKIP_REASONS = {
    "postgres": "needs PostgreSQL: set DATABASE_URL=postgres://…",
    "redis": "needs Redis: set REDIS_URL=redis://…",
    "browser": f"needs Chromium at {CHROMIUM} and Playwright for Python",
}


def _browser_available() -> bool:
    if not CHROMIUM.exists():
        return False
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


def _available(marker: str) -> bool:
    if marker == "postgres":
        return USE_POSTGRES
    if marker == "redis":
        return REDIS_URL is not None
    return _browser_available()


# -- skips, and failing on them in CI ---------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker, reason in _SKIP_REASONS.items():
            if item.get_closest_marker(marker) and not _available(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


_skipped: list[str] = []


def _forbid_skips() -> bool:
    return os.environ.get("AUFTRAG_FORBID_SKIPS", "") not in ("", "0")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(f"{report.nodeid}: {_skip_reason(report)}")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _skipped.append(f"{report.nodeid}: {_skip_reason(report)}")


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _forbid_skips() and _skipped and exitstatus in (0, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if _threads_left():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    if _forbid_skips() and _skipped:
        terminalreporter.section("AUFTRAG_FORBID_SKIPS", sep="=", red=True, bold=True)
        terminalreporter.line(
            f"{len(_skipped)} test(s) skipped, but AUFTRAG_FORBID_SKIPS=1 forbids skips:",
            red=True,
        )
        for line in _skipped:
            terminalreporter.line(f"  {line}", red=True)


# -- hung tests --------------------------------------------------------------------------


def _threads_left() -> list[threading.Thread]:
    """Threads no test stopped that would keep the process from exiting.

    The interpreter joins every thread that is no daemon before it exits, so one left
    running (an unclosed SQLite connection's, say) hangs the run after its summary, where
    no per-test timeout reaches: CI then waits for its whole time limit.
    """
    left = []
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.daemon:
            continue
        thread.join(timeout=2)
        if thread.is_alive():
            left.append(thread)
    return left


def pytest_unconfigure(config: pytest.Config) -> None:
    left = _threads_left()
    if left:
        names = ", ".join(thread.name for thread in left)
        print(f"\nerror: threads left running after the tests: {names}", flush=True)
        sys.stderr.flush()
        os._exit(pytest.ExitCode.TESTS_FAILED)


@pytest.hookimpl(wrapper=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> Iterator[object]:
    """On a timeout, print the event loop's tasks too, before pytest-timeout's threads.

    A hang here is nearly always a task awaiting another (a lifespan waiting on the
    outbox consumer), which no thread's stack shows.
    """
    result = yield
    handler = signal.getsignal(signal.SIGALRM)
    if threading.current_thread() is threading.main_thread() and callable(handler):

        def tasks_then_threads(signum: int, frame: FrameType | None) -> None:
            _print_tasks(item.config.get_terminal_writer())
            handler(signum, frame)

        signal.signal(signal.SIGALRM, tasks_then_threads)
    return result


def _print_tasks(terminal: Any) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    for task in asyncio.all_tasks(loop):
        terminal.sep("~", title=f"asyncio task {task.get_name()}")
        stack = io.StringIO()
        task.print_stack(file=stack)
        terminal.write(stack.getvalue())


# -- the database ------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}", query=""))


async def _admin(url: str, sql: str) -> None:
    """Run `sql` on the server of `url`, connected to the database `url` names."""
    import asyncpg

    connection = await asyncpg.connect(url.split("?")[0])
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _migrate(url: str) -> None:
    try:
        await db.migrate(url)
    finally:
        await db.close()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite file to copy, or a PostgreSQL URL to truncate."""
    if USE_POSTGRES:
        name = f"auftrag_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(ENV_DATABASE_URL, f'CREATE DATABASE "{name}"'))
        # A commit then returns before its WAL reaches the disk: 0.5–1 ms instead of 3–7
        # with fsync on, over the tens of commits of every test. Only a crash of the server
        # could lose such a commit, and this database is thrown away at the end anyway.
        asyncio.run(
            _admin(ENV_DATABASE_URL, f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        )
        url = _with_database(ENV_DATABASE_URL, name) + "?" + TEST_POOL
        try:
            asyncio.run(_migrate(url))
            yield url
        finally:
            asyncio.run(_admin(ENV_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite://{path}"))
    yield str(path)


# The DELETE script and the TRUNCATE fallback, built once the tables are known.
_emptying: tuple[str, str] | None = None
_OWN_TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
    "AND tablename <> 'tortoise_migrations'"
)
_OWN_SEQUENCES = (
    "SELECT DISTINCT s.relname FROM pg_class s "
    "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE s.relkind = 'S' AND t.relnamespace = 'public'::regnamespace "
    "AND t.relname <> 'tortoise_migrations'"
)


async def _empty(url: str, new_files: bool = False) -> None:
    """Empty every table and start its ids again at 1.

    DELETE with foreign-key triggers off and setval cost about 3 ms on 60 small tables,
    where TRUNCATE … RESTART IDENTITY takes about 110 ms: over 3,000 tests that is five
    minutes of CI. DELETE leaves the dead rows in the tables' pages, so a test that reads
    every tuple on disk asks for `new_files` (TRUNCATE), as does a server that may not
    turn triggers off.
    """
    import asyncpg

    connection = await asyncpg.connect(url.split("?")[0])
    try:
        global _emptying
        if _emptying is None:
            tables = [f'"{row["tablename"]}"' for row in await connection.fetch(_OWN_TABLES)]
            sequences = [row["relname"] for row in await connection.fetch(_OWN_SEQUENCES)]
            restart = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
            _emptying = (
                "SET session_replication_role = replica; "
                + "".join(f"DELETE FROM {table}; " for table in tables)
                + "RESET session_replication_role; "
                + (f"SELECT {restart};" if restart else ""),
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE",
            )
        delete, truncate = _emptying
        if new_files:
            await connection.execute(truncate)
            return
        try:
            await connection.execute(delete)
        except asyncpg.InsufficientPrivilegeError:
            await connection.execute(truncate)
    finally:
        await connection.close()


@pytest.fixture
async def database_url(template_database: str, tmp_path: Path) -> str:
    """A database of this test's own, migrated and empty."""
    # Ids start again in every test's database, so the process-wide caches must too.
    mandate_commands._homes.clear()
    municipality_queries._places.clear()
    council_queue._names.clear()
    if USE_POSTGRES:
        await _empty(template_database)
        return template_database
    path = tmp_path / "auftrag.sqlite3"
    shutil.copyfile(template_database, path)
    return f"sqlite://{path}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    """An initialised ORM for tests that call domain commands without the app."""
    await db.init(database_url)
    try:
        yield database_url
    finally:
        await db.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStorage]:
    """A file store of this test's own (uploads, crests), and an unused one after it."""
    local = LocalStorage(tmp_path / "files")
    storage.use(local)
    yield local
    storage.use(LocalStorage(tmp_path / "unused"))


# -- the app -------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "var")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The app with its lifespan running: database, live bus, outbox consumers."""
    application = create_app(settings)
    try:
        async with application.router.lifespan_context(application):
            yield application
    finally:
        await db.close()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def auth(settings: Settings) -> Callable[[Actor], dict[str, str]]:
    """Authorization headers for a person: ``client.get(url, headers=auth(person))``."""

    def headers(person: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {bearer_token(settings, person)}"}

    return headers
