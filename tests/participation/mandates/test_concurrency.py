"""A viral mandate on PostgreSQL: hundreds sign at the same instant.

The quorum must be crossed exactly once, every milestone announced exactly once,
and the sharded counter must equal the signature rows.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from participation.actors import Actor
from participation.mandates import commands, counter
from participation.mandates.models import Mandate, Signature, Status
from participation.outbox.models import OutboxEvent
from participation.timeline.models import TimelineEntry
from tests import factories

pytestmark = pytest.mark.postgres

SIGNERS = 200
QUORUM = 50


async def _crowd(quorum: int) -> tuple[Mandate, list[Actor]]:
    """A collecting mandate and 200 distinct verified people, its initiator among them."""
    town = await factories.municipality(quorum=quorum)
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    others = await asyncio.gather(*(factories.person() for _ in range(SIGNERS - 1)))
    return mandate, [initiator, *others]


async def _assert_signed_exactly_once(mandate_id: int) -> None:
    assert await Signature.filter(mandate_id=mandate_id).count() == SIGNERS
    assert await counter.total(mandate_id) == SIGNERS
    mandate = await Mandate.get(id=mandate_id)
    assert mandate.status == Status.SUBMITTED
    entries = await TimelineEntry.filter(mandate_id=mandate_id).order_by("id")
    submitted = [e for e in entries if e.kind == "status" and e.data["to"] == "submitted"]
    assert len(submitted) == 1
    milestones = Counter(e.data["percent"] for e in entries if e.kind == "milestone")
    assert milestones == {25: 1, 50: 1, 75: 1}
    events = Counter(
        await OutboxEvent.filter(subject_type="mandate", subject_id=mandate_id).values_list(
            "name", flat=True
        )
    )
    assert events["mandates:mandate:submitted"] == 1
    assert events["mandates:milestone:reached"] == 3
    assert events["mandates:signature:created"] == SIGNERS


async def _all_at_once(calls: list[Callable[[], Awaitable[object]]]) -> list[object]:
    start = asyncio.Event()

    async def wait_then(call: Callable[[], Awaitable[object]]) -> object:
        await start.wait()
        return await call()

    tasks = [asyncio.create_task(wait_then(call)) for call in calls]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)


@pytest.mark.usefixtures("database")
async def test_200_people_signing_at_once_cross_the_quorum_exactly_once() -> None:
    mandate, crowd = await _crowd(QUORUM)
    outcomes = await _all_at_once(
        [lambda person=person: commands.sign_mandate(person, mandate.id) for person in crowd]
    )
    created = [o.created for o in outcomes]  # type: ignore[attr-defined]
    assert created.count(True) == SIGNERS - 1  # the initiator had signed by publishing
    await _assert_signed_exactly_once(mandate.id)


async def test_200_people_signing_at_once_over_http(
    client: httpx.AsyncClient, auth: Callable[[Actor], dict[str, str]]
) -> None:
    mandate, crowd = await _crowd(QUORUM)
    url = f"/api/v1/mandates/{mandate.id}/signatures"
    responses = await _all_at_once(
        [lambda person=person: client.post(url, headers=auth(person)) for person in crowd]
    )
    statuses = Counter(r.status_code for r in responses)  # type: ignore[attr-defined]
    assert statuses == {201: SIGNERS - 1, 200: 1}
    await _assert_signed_exactly_once(mandate.id)
    shown = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert shown["signature_count"] == SIGNERS
    assert shown["status"] == "submitted"
