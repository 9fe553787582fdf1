"""The rebuild: every fact and row recomputed from the records, per municipality."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from participation import db
from participation.errors import NotFound
from participation.mandates.models import Status
from participation.metrics.models import MetricCell, MetricFact
from participation.metrics.rebuild import rebuild
from server.cli import main
from tests import factories
from tests.factories import metrics, time_travel
from tests.support import SECRET_KEY

NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.mark.usefixtures("database")
async def test_a_rebuild_of_one_municipality_leaves_the_others_alone() -> None:
    here = await factories.municipality("hier")
    there = await factories.municipality("dort")
    with time_travel(NOVEMBER):
        await factories.mandate(await factories.person(lives_in=here), here, Status.SUBMITTED)
        await factories.mandate(await factories.person(lives_in=there), there)
    await metrics.project()
    kept = await metrics.cells()
    await MetricCell.filter(municipality_id=here.id).delete()
    stray = await MetricCell.create(
        municipality_id=there.id, month="2026-01", measure="launched", value=0, count=7
    )
    done = await rebuild("hier", progress=lambda *_: None)
    assert [(d.municipality, d.facts) for d in done] == [("hier", 1)]
    after = await metrics.cells()
    assert {k: v for k, v in after.items() if k[0] == here.id} == {
        k: v for k, v in kept.items() if k[0] == here.id
    }
    assert await MetricCell.exists(id=stray.id)
    await rebuild()
    assert await metrics.cells() == kept
    assert await MetricFact.filter(municipality_id=there.id).count() == 1


@pytest.mark.usefixtures("database")
async def test_an_unknown_municipality_is_not_found() -> None:
    with pytest.raises(NotFound):
        await rebuild("nirgendwo")


async def _seed(url: str) -> None:
    await db.init(url)
    try:
        town = await factories.municipality("musterstadt")
        with time_travel(NOVEMBER):
            await factories.mandate(await factories.person(lives_in=town), town, Status.COMPLETED)
    finally:
        await db.close()


async def _launched(url: str) -> dict[tuple[str, int], int]:
    await db.init(url)
    try:
        return await metrics.measure("launched")
    finally:
        await db.close()


def test_the_rebuild_command_shows_its_progress_and_says_what_it_did(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(_seed(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("AUFTRAG_VAR_DIR", str(tmp_path / "var"))
    assert main(["metrics", "rebuild", "--municipality", "musterstadt"]) == 0
    said = capsys.readouterr()
    assert said.out.startswith("musterstadt: 1 subjects, ")
    assert "musterstadt" in said.err
    assert asyncio.run(_launched(database_url)) == {("2026-11", 0): 1}
    assert main(["metrics", "rebuild", "--municipality", "nirgendwo"]) == 2
    assert "does not exist" in capsys.readouterr().err
