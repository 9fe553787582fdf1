"""The benchmark's history is a plausible one: what bench/metrics.py measures rests on it.

The outlines are checked without a database; the whole quick run (every step of the
benchmark against a real server) runs on PostgreSQL only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import metrics_data  # noqa: E402

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def planned() -> metrics_data.Plan:
    return metrics_data.plan(metrics_data.QUICK, seed=13, now=NOW)


def test_the_timeline_has_exactly_the_entries_asked_for(planned: metrics_data.Plan) -> None:
    entries = sum(metrics_data._core_entries(o) + o.work for o in planned.outlines)
    assert entries == metrics_data.QUICK.timeline_entries


def test_every_moment_of_a_mandate_follows_the_one_before(planned: metrics_data.Plan) -> None:
    for o in planned.outlines:
        moments = [o.created, o.published, *(at for _, _, at in o.moves)]
        assert moments == sorted(moments) and moments[-1] <= NOW, o
        assert o.moves[-1][1] == o.status
        if o.first_answer is not None:
            assert o.submitted is not None and o.due is not None
            assert o.submitted <= o.first_answer <= NOW
            assert o.kept == (o.first_answer <= o.due)
        if o.kept is False:
            assert o.missed_at == o.due
        assert (o.signers >= metrics_data.QUORUM) == (o.submitted is not None)


def test_the_towns_differ_in_how_often_they_keep_their_promise(
    planned: metrics_data.Plan,
) -> None:
    def kept_share(town: metrics_data.Town) -> float:
        settled = [o.kept for o in planned.outlines if o.town.id == town.id and o.kept is not None]
        return sum(settled) / len(settled)

    first, last = planned.towns[0], planned.towns[-1]
    assert kept_share(first) < 0.5 < kept_share(last)


def test_the_same_seed_plans_the_same_history() -> None:
    first = metrics_data.plan(metrics_data.QUICK, seed=13, now=NOW)
    again = metrics_data.plan(metrics_data.QUICK, seed=13, now=NOW)
    other = metrics_data.plan(metrics_data.QUICK, seed=14, now=NOW)
    assert [(o.status, o.created, o.work) for o in again.outlines] == [
        (o.status, o.created, o.work) for o in first.outlines
    ]
    assert [o.created for o in other.outlines] != [o.created for o in first.outlines]


def own_database(url: str) -> str:
    """The tests' PostgreSQL server, a database of the benchmark's own (it drops it)."""
    return urlunsplit(urlsplit(url)._replace(path="/auftrag_bench_metrics_smoke", query=""))


@pytest.mark.postgres
def test_the_quick_run_measures_every_step(tmp_path: Path) -> None:
    out = tmp_path / "metrics.json"
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "metrics.py"), "--quick", "--rounds", "1",
            "--requests", "5", "--warmup", "1", "--events", "100", "--json", str(out),
            "--database-url", own_database(os.environ["DATABASE_URL"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert report["generation"]["rows"]["timeline_entry"] == metrics_data.QUICK.timeline_entries
    assert report["rebuild"]["seconds"] is not None
    assert report["consumer"]["events"] == 100 and report["consumer"]["agree"]
    assert {"dashboard (API)", "comparison (API)"} <= set(report["http"]["numbers"])
