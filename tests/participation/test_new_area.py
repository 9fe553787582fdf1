"""Adding an area touches no central list: the throw-away area in tests/participation/errands
declares itself, and the database config, the permission engine, the event catalogue and
the outbox's consumers all take it from that declaration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tortoise import Tortoise

from participation import areas, db
from participation.errors import PermissionDenied
from participation.outbox import catalogue, consumers
from participation.outbox.consumers import Runner
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories
from tests.participation.errands import area as errands
from tests.participation.errands.models import Errand, ErrandStatus


@pytest.fixture
async def with_errands(database_url: str) -> AsyncIterator[None]:
    areas.register(errands.AREA)
    errands.SEEN.clear()
    try:
        await db.init(database_url)
        # The test database was migrated before this area existed: add its table.
        await Tortoise.generate_schemas(safe=True)
        yield
    finally:
        await db.close()
        areas.unregister(errands.AREA)


@pytest.mark.usefixtures("with_errands")
async def test_an_area_declared_by_its_descriptor_alone_works_end_to_end() -> None:
    assert "tests.participation.errands.models" in areas.models()
    assert errands.FINISH_ERRAND in areas.actions()
    assert "errands:errand:finished" in catalogue.catalogue()
    consumer = next(c for c in consumers.registered() if c.name == "errands:seen")

    town = await factories.municipality()
    errand = await Errand.create(municipality_id=town.id, title="Fix the bench")
    citizen = await factories.person()
    with pytest.raises(PermissionDenied):
        await errands.finish(citizen, errand.id)
    council = await factories.person(role=Role.COUNCIL, municipality=town)
    await errands.finish(council, errand.id)

    assert (await Errand.get(id=errand.id)).status == ErrandStatus.DONE
    event = await OutboxEvent.get(name="errands:errand:finished")
    assert (event.subject_type, event.subject_id) == ("errand", errand.id)
    assert (event.municipality_id, event.actor_id) == (town.id, council.user_id)
    assert event.payload == {"from": "open", "to": "done", "errand_id": errand.id}

    await Runner(consumer).run_once()
    assert [(e.name, e.subject_id) for e in errands.SEEN] == [
        ("errands:errand:finished", errand.id)
    ]
