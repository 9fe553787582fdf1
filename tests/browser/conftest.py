"""A real server for browser tests: `auftrag serve --demo` in a fresh directory."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import INSTALL_HINT, Axe, axe_core_path
from tests.conftest import CHROMIUM
from tests.support import AUFTRAG, ServerProcess, server_environment

# Without these, headless Chromium keeps trying to reach Google's services, which
# this sandboxed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def demo_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ./var seeded once by `auftrag demo`: the three towns' year takes half a minute,
    too long to tell again for every module's server."""
    directory = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [str(AUFTRAG), "demo"],
        cwd=directory,
        env=server_environment(PYTHONWARNINGS="ignore"),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return directory / "var"


@pytest.fixture(scope="module")
def live_dir(tmp_path_factory: pytest.TempPathFactory, demo_var: Path) -> Path:
    """Where the live server keeps ./var, a copy of the seeded one: `auftrag token` run here
    mints its tokens."""
    directory = tmp_path_factory.mktemp("live")
    shutil.copytree(demo_var, directory / "var")
    return directory


@pytest.fixture(scope="module")
def live_server(live_dir: Path) -> Iterator[str]:
    """The README's embedded default: SQLite in ./var, jobs and live bus in-process; the
    demo is there already, so `--demo` only turns on the dev mailbox."""
    server = ServerProcess(["--demo"], live_dir, server_environment(PYTHONWARNINGS="ignore"))
    try:
        _blocking(server.wait_until_healthy(within=120))
        yield server.base
    finally:
        _blocking(server.stop())


def _blocking(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to the end from sync code, even where pytest-asyncio has a loop running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    """axe-core, or a skip saying how to get it (a failure where skips are forbidden, as in CI)."""
    path = axe_core_path()
    if path is None:
        pytest.skip(f"needs axe-core: run `{INSTALL_HINT}` or set AXE_CORE_JS=/path/to/axe.min.js")
    return Axe(path.read_text(encoding="utf-8"))
