"""Answers racing on PostgreSQL: only one of them is the first, and it stays the first."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from participation.answers import commands
from participation.answers.models import OfficialResponse
from participation.mandates.models import Mandate, Status
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.timeline.models import TimelineEntry
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database")]

RACERS = 8


async def test_of_answers_racing_exactly_one_is_first_and_acknowledges() -> None:
    town = await factories.municipality(quorum=3)
    initiator = await factories.person()
    members = [await factories.person(role=Role.COUNCIL, municipality=town) for _ in range(RACERS)]
    mandate = await factories.mandate(initiator, town, Status.SUBMITTED, council=members[0])
    start = asyncio.Event()

    async def answer(index: int) -> object:
        await start.wait()
        kind = "update" if index % 2 else "decision"
        return await commands.respond_to_mandate(members[index], mandate.id, kind, f"Nr. {index}")

    racing = [asyncio.create_task(answer(i)) for i in range(RACERS)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*racing, return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes

    assert await OfficialResponse.filter(mandate_id=mandate.id).count() == RACERS
    stored = await Mandate.get(id=mandate.id)
    assert stored.status == Status.IN_REVIEW
    assert stored.first_answer_at is not None and stored.promise_kept is True
    entries = await TimelineEntry.filter(mandate_id=mandate.id).order_by("id")
    responses = [e for e in entries if e.kind == "response"]
    assert Counter(e.data["first"] for e in responses) == {True: 1, False: RACERS - 1}
    acknowledged = [e for e in entries if e.kind == "status" and e.data["to"] == "in_review"]
    assert len(acknowledged) == 1
    first = next(e for e in responses if e.data["first"])
    # The first answer is the one whose time the mandate records.
    assert abs((first.created_at - stored.first_answer_at).total_seconds()) < 5
    names = Counter(
        await OutboxEvent.filter(subject_type="mandate", subject_id=mandate.id).values_list(
            "name", flat=True
        )
    )
    assert names["answers:response:published"] == RACERS
    assert names["mandates:mandate:reviewed"] == 1
