"""Publishing a cost analysis signals the mandate's live stream; drafts stay silent."""

from __future__ import annotations

import pytest

from participation.costs import commands
from participation.mandates.live import LIVE
from participation.mandates.models import Status
from participation.outbox.consumers import Runner
from tests import factories
from tests.factories import costs as cost_factories
from tests.participation.mandates.test_live import RecordingBus

pytestmark = pytest.mark.usefixtures("database")


async def test_publishing_signals_the_timeline_and_drafts_do_not() -> None:
    town = await factories.municipality(quorum=2)
    council = await factories.council_member(town)
    mandate = await factories.mandate(await factories.person(), town, Status.IN_REVIEW)
    bus = RecordingBus()
    runner = Runner(LIVE, {"bus": bus}, 0.5)
    await runner.run_once()
    bus.messages.clear()
    analysis = await cost_factories.cost_analysis(council, mandate)
    await commands.revise_cost_analysis(council, analysis.id, title="Neu", items=[])
    await runner.run_once()
    assert bus.messages == []
    await commands.publish_cost_analysis(council, analysis.id)
    assert await runner.run_once() == 1
    assert any(m["type"] == "timeline" and m["mandate_id"] == mandate.id for m in bus.messages)
