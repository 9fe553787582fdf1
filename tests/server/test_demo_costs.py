"""The demo's cost analysis: two published revisions on a mandate the council works on."""

from __future__ import annotations

import pytest

from participation.costs import queries
from participation.costs.models import CostAnalysis
from participation.timeline.models import TimelineEntry
from server import demo

pytestmark = pytest.mark.usefixtures("database")


async def test_the_demo_seeds_a_revised_and_republished_cost_analysis() -> None:
    assert await demo.seed(towns=False)
    analysis = await CostAnalysis.get()
    view = await queries.analysis_view(None, analysis.id)
    assert (view["revision"], view["status"]) == (2, "published")
    assert view["one_off_cents"] == 7_450_000 and view["per_year_cents"] == 3_600_000
    assert view["per_resident_cents"] == 230  # 110,500 € among 48,000 residents
    diff = await queries.revision_diff(None, analysis.id, 1, 2)
    assert [c["changes"] for c in diff["changed"]] == [
        {"amount_cents": {"before": 2_200_000, "after": 2_650_000}}
    ]
    kinds = await TimelineEntry.filter(mandate_id=analysis.mandate_id, kind="cost_analysis").count()
    assert kinds == 2
