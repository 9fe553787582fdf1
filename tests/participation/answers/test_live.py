"""Assignments and answers signal open mandate pages to re-read their timeline."""

from __future__ import annotations

from typing import Any

import pytest

from participation.answers import commands
from participation.mandates.live import LIVE
from participation.mandates.models import Status
from participation.outbox.consumers import Runner
from participation.permissions import Role
from tests import factories
from tests.factories import answers as answer_factories

pytestmark = pytest.mark.usefixtures("database")


class RecordingBus:
    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.messages.append((topic, message))


async def test_an_update_and_an_assignment_each_signal_the_mandates_timeline() -> None:
    town = await factories.municipality(quorum=3)
    council = await factories.person(role=Role.COUNCIL, municipality=town)
    mandate = await factories.mandate(
        await factories.person(), town, Status.IN_REVIEW, council=council
    )
    bus = RecordingBus()
    runner = Runner(LIVE, {"bus": bus}, 0.5)
    await runner.run_once()
    bus.messages.clear()
    await commands.respond_to_mandate(council, mandate.id, "update", "Wir sind dran.")
    assert await runner.run_once() == 1
    topic = f"mandate:{mandate.id}"
    assert any(t == topic and m["type"] == "timeline" for t, m in bus.messages)
    bus.messages.clear()
    roads = await answer_factories.department(town)
    await commands.assign_mandate(council, mandate.id, roads.id)
    assert await runner.run_once() == 1
    assert any(t == topic and m["type"] == "timeline" for t, m in bus.messages)
