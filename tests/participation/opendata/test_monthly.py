"""The `figures` data set read from the real metrics queries."""

from __future__ import annotations

from starlette.applications import Starlette

from participation.opendata import monthly
from tests import factories


async def test_a_municipality_without_data_has_every_figure_each_month_with_no_cases(
    app: Starlette,
) -> None:
    town = await factories.municipality("leerdorf", name="Leerdorf")
    batches = [batch async for batch in monthly.figures(town, "https://example.org", 500)]
    assert len(batches) == monthly.MONTHS
    months = [batch[0]["month"] for batch in batches]
    assert months == sorted(months) and len(set(months)) == monthly.MONTHS
    for batch in batches:
        assert {row["figure"] for row in batch} >= {"first_answer_days", "participants"}
        for row in batch:
            if row["unit"] != "count":
                assert row["n"] == 0 and row["value"] is None and row["comparable"] is False
