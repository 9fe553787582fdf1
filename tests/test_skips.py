"""CI runs with AUFTRAG_FORBID_SKIPS=1: a suite that skipped anything must fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import server_environment

ROOT = Path(__file__).resolve().parent.parent
A_REDIS_TEST = "tests/server/test_live.py::test_two_redis_buses_both_receive_what_one_publishes"


def _pytest(**env: str) -> subprocess.CompletedProcess[str]:
    # server_environment() drops DATABASE_URL and REDIS_URL, so the Redis test skips.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", A_REDIS_TEST],
        cwd=ROOT,
        env=server_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_skip_fails_the_run_only_when_skips_are_forbidden() -> None:
    forbidden = _pytest(AUFTRAG_FORBID_SKIPS="1")
    assert forbidden.returncode == 1, forbidden.stdout
    assert "AUFTRAG_FORBID_SKIPS" in forbidden.stdout
    assert A_REDIS_TEST in forbidden.stdout and "needs Redis" in forbidden.stdout
    allowed = _pytest(AUFTRAG_FORBID_SKIPS="")
    assert allowed.returncode == 0, allowed.stdout
    assert "1 skipped" in allowed.stdout
