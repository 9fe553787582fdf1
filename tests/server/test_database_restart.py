"""A PostgreSQL restart under load: 503s with Retry-After while it is away, never a 500,
and the same app serving again once it is back.

The test runs its own throw-away PostgreSQL (initdb and pg_ctl in a temporary directory
on a free port), since restarting the shared server would break every other test.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from participation import db
from participation.accounts.identity.sessions import BROWSER, start_session
from server.app import create_app
from server.auth import SESSION_COOKIE, sign_in_cookies
from tests import factories
from tests.support import bearer_token, eventually, free_port, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

WORKERS = 8
# The health check keeps its own small JSON body, 503 included.
CONTENT_TYPES = {
    "api": "application/problem+json",
    "page": "text/html",
    "health": "application/json",
}


class Cluster:
    """A PostgreSQL cluster of this test's own. initdb refuses to run as root, so as
    root (CI) it belongs to and runs as the `postgres` system user."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        assert found, "PostgreSQL server binaries not found under /usr/lib/postgresql"
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="auftrag-pg-"))
        if os.getuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/auftrag"
        self.options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def pg_ctl(self, *args: str) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", *args)

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "auftrag")

    def start(self) -> None:
        self.pg_ctl("-o", self.options, "start")

    def destroy(self) -> None:
        try:
            self.pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    server = Cluster()
    try:
        server.create()
        yield server
    finally:
        server.destroy()


@dataclass(frozen=True)
class Outcome:
    kind: str  # "api", "page" or "health"
    status: int
    retry_after: str | None
    content_type: str


def _outcome(kind: str, response: httpx.Response) -> Outcome:
    return Outcome(
        kind,
        response.status_code,
        response.headers.get("retry-after"),
        response.headers.get("content-type", ""),
    )


def assert_answered(outcome: Outcome) -> None:
    """What a client may meet while the database restarts: success, or a 503 saying when
    to come back, as problem details on the API and as a page for browsers."""
    if outcome.status < 400:
        return
    assert outcome.status == 503, outcome
    assert outcome.retry_after and int(outcome.retry_after) > 0, outcome
    assert outcome.content_type.startswith(CONTENT_TYPES[outcome.kind]), outcome


async def test_a_database_restart_under_load_gives_503s_never_500s(
    cluster: Cluster, tmp_path: Path
) -> None:
    await db.migrate(cluster.url)
    await db.close()
    settings = make_settings(cluster.url, tmp_path / "var", db_timeout=2.0)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=free_port(), lifespan="on", ws="none", log_level="error"
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _true(server.started), within=20)
        town = await factories.municipality("neustadt", quorum=100_000)
        initiator = await factories.person()
        mandates = [await factories.mandate(initiator, town) for _ in range(3)]
        signers = await factories.people(40)
        browser = await start_session(initiator.user_id, BROWSER, "tests", timedelta(hours=1))
        # The session cookie alone: every page request renews the access token in
        # SessionMiddleware, which reads the database before any route runs.
        session = next(
            c.decode().split(";")[0].partition("=")[2]
            for c in sign_in_cookies(settings, browser)
            if c.startswith(SESSION_COOKIE.encode())
        )
        base = f"http://127.0.0.1:{server.config.port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:

            def request(n: int) -> tuple[str, str, str, dict[str, str]]:
                """The n-th request of the mix: reads and co-signing, API and pages."""
                mandate = mandates[n % len(mandates)]
                signer = signers[n % len(signers)]
                page_headers = {"cookie": f"{SESSION_COOKIE}={session}", "accept": "text/html"}
                api_headers = {"authorization": f"Bearer {bearer_token(settings, signer)}"}
                return [
                    ("api", "GET", f"/api/v1/mandates/{mandate.id}", api_headers),
                    ("api", "GET", "/api/v1/municipalities/neustadt/mandates", api_headers),
                    ("api", "POST", f"/api/v1/mandates/{mandate.id}/signatures", api_headers),
                    ("page", "GET", f"/mandates/{mandate.id}", page_headers),
                    ("page", "GET", "/m/neustadt", page_headers),
                    ("health", "GET", "/api/v1/health", {}),
                ][n % 6]

            async def send(n: int) -> Outcome:
                kind, method, path, headers = request(n)
                return _outcome(kind, await http.request(method, path, headers=headers))

            for n in range(6):
                assert (await send(n)).status < 300

            outcomes: list[Outcome] = []
            stop = asyncio.Event()

            async def load(worker: int) -> None:
                n = worker
                # A few requests each at least, however slow a shared machine is.
                while not stop.is_set() or n < 3 * WORKERS:
                    outcomes.append(await send(n))
                    n += WORKERS

            workers = [asyncio.create_task(load(w)) for w in range(WORKERS)]
            await asyncio.sleep(1.0)
            # pg_ctl blocks until the server is back; the app must go on answering meanwhile.
            await asyncio.to_thread(cluster.pg_ctl, "-m", "fast", "restart")
            await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*workers)

            # A database that stays away a little longer: both kinds of 503 for certain.
            await asyncio.to_thread(cluster.pg_ctl, "-m", "fast", "stop")
            away = [await send(n) for n in range(6)]
            await asyncio.to_thread(cluster.start)

            # Back without restarting the app: the pool reconnects by itself.
            async def serving_again() -> bool:
                return all([(await send(n)).status < 300 for n in range(6)])

            await eventually(serving_again, within=20)
    finally:
        server.should_exit = True
        await serving

    for outcome in outcomes + away:
        assert_answered(outcome)
    assert any(o.status == 503 for o in outcomes), "the restart met no request"
    assert [o.status for o in away] == [503] * 6
    assert {"api", "page"} <= {o.kind for o in away if o.status == 503}


async def _true(value: bool) -> bool:
    return value
