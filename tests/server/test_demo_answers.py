"""The demo seed gives the council's work something to show: departments and answers."""

from __future__ import annotations

import pytest

from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate
from participation.municipalities.models import Department
from server import demo

pytestmark = pytest.mark.usefixtures("database")


async def test_the_demo_has_departments_an_assignment_and_decisions() -> None:
    assert await demo.seed(towns=False)
    assert sorted(await Department.all().values_list("name", flat=True)) == sorted(demo.DEPARTMENTS)
    fountains = await Mandate.get(title="Öffentliche Trinkbrunnen in der Innenstadt")
    assert fountains.department_id is not None and fountains.responsible_id is not None
    decision = await OfficialResponse.get(mandate_id=fountains.id)
    assert decision.kind == "decision" and decision.council_paper_reference == "DS 2026/041"
    assert await OfficialResponse.all().count() == 2
    assert not await demo.seed(towns=False)
