"""When a data set last changed: the figures also change with records no data set shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from participation.mandates.models import Status
from participation.opendata import changes
from tests import factories
from tests.factories import deliberation, time_travel

pytestmark = pytest.mark.usefixtures("database")


async def test_a_comment_moves_the_figures_but_not_the_mandates() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC)):
        mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    mandates = await changes.modified(town, "mandates")
    said = await deliberation.comment(initiator, await deliberation.thread_of(mandate))
    assert said.created_at > mandates
    assert await changes.modified(town, "mandates") == mandates
    assert await changes.modified(town, "figures") == said.created_at
