"""The `metrics` consumer keeps the summary tables as a rebuild computes them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from participation.accounts.privacy import delete_account
from participation.answers.commands import respond_to_mandate
from participation.mandates import commands as mandate_commands
from participation.mandates.models import Status
from participation.metrics import contributions
from participation.metrics.models import MetricCell, MetricFact, MetricParticipant
from participation.metrics.projection import project, refresh
from participation.metrics.rebuild import rebuild
from participation.outbox.catalogue import consumers_of
from participation.outbox.consumers import _event
from participation.outbox.models import OutboxEvent
from tests import factories
from tests.factories import deliberation as talk
from tests.factories import metrics, time_travel

pytestmark = pytest.mark.usefixtures("database")

NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


async def test_a_completed_mandate_counts_as_the_rebuild_counts_it() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        await factories.mandate(initiator, town, Status.COMPLETED)
    await metrics.project()
    incremental = await metrics.cells()
    people = await metrics.people()
    assert incremental
    await rebuild()
    assert await metrics.cells() == incremental
    assert await metrics.people() == people


async def test_a_running_sum_brought_back_to_zero_leaves_no_cell() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER - timedelta(days=30)):
        await factories.mandate(initiator, town, Status.REJECTED)
    await metrics.project()
    with time_travel(NOVEMBER):
        await factories.mandate(initiator, town, Status.SUBMITTED)
    await metrics.project()
    active = {k: n for k, n in (await metrics.cells()).items() if k[4] == "active_delta"}
    assert active == {(town.id, 0, "", "2026-10", "active_delta", 0): 1}
    await rebuild()
    assert {k: n for k, n in (await metrics.cells()).items() if k[4] == "active_delta"} == active


async def test_a_batch_delivered_twice_changes_nothing_more() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        await factories.mandate(initiator, town, Status.SUBMITTED)
    batch = [_event(row) for row in await OutboxEvent.all().order_by("id").values()]
    await project(batch, {})
    once, people = await metrics.cells(), await metrics.people()
    await project(batch, {})
    await project(list(reversed(batch)), {})
    assert await metrics.cells() == once
    assert await metrics.people() == people
    assert once[(town.id, 0, "", "2026-11", "signatures", 0)] == 4


async def test_after_a_rebuild_the_consumer_counts_nothing_twice() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        mandate = await factories.mandate(initiator, town, Status.SUBMITTED)
    await rebuild()
    # The events the rebuild already reflects reach the consumer only now.
    await metrics.project()
    assert await metrics.measure("signatures") == {("2026-11", 0): 4}
    council = await factories.council_member(town)
    with time_travel(NOVEMBER + timedelta(hours=2)):
        await respond_to_mandate(council, mandate.id, "first_answer", "Wir prüfen das.")
    await metrics.project()
    assert await metrics.measure("first_answer_days") == {("2026-11", 0): 1}
    assert await metrics.measure("signatures") == {("2026-11", 0): 4}


async def test_an_erased_account_s_contributions_still_count() -> None:
    town = await factories.municipality(quorum=10)
    initiator = await factories.person(lives_in=town)
    signer = await factories.person(email="weg@example.org", lives_in=town)
    with time_travel(NOVEMBER):
        mandate = await factories.mandate(initiator, town)
        await mandate_commands.sign_mandate(signer, mandate.id)
    thread = await talk.thread_of(mandate)
    await talk.post(signer, thread)
    await metrics.project()
    before = await metrics.participants()
    keys = {person for (_, _, person) in await metrics.people()}
    await delete_account(signer, "weg@example.org")
    await metrics.project()
    # Her signature and her comment stay counted, each now as a person of its own: the
    # months' participant counts do not drop, and her key is gone from the tables.
    assert await metrics.measure("signatures") == {("2026-11", 0): 2}
    after = await metrics.participants()
    assert all(after[key] >= count for key, count in before.items())
    assert contributions.person(signer.user_id) in keys
    assert contributions.person(signer.user_id) not in {p for (_, _, p) in await metrics.people()}
    incremental = await metrics.people()
    await rebuild()
    assert await metrics.people() == incremental


async def test_two_workers_on_one_mandate_at_once_count_it_once() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        mandate = await factories.mandate(initiator, town, Status.SUBMITTED)
    subjects = {("mandate", mandate.id)}
    await asyncio.gather(*(refresh(subjects, {town.id}) for _ in range(4)))
    together = await metrics.cells()
    await rebuild()
    assert await metrics.cells() == together
    assert together[(town.id, 0, "", "2026-11", "signatures", 0)] == 4


async def test_two_workers_on_one_person_s_mandates_count_her_once() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    with time_travel(NOVEMBER):
        first = await factories.mandate(initiator, town, Status.SUBMITTED)
        second = await factories.mandate(initiator, town, Status.SUBMITTED)
    for _ in range(3):
        await asyncio.gather(
            refresh({("mandate", first.id)}, {town.id}),
            refresh({("mandate", second.id)}, {town.id}),
        )
        together = await metrics.cells()
        await rebuild()
        assert await metrics.cells() == together
        await MetricCell.all().delete()
        await MetricParticipant.all().delete()
        await MetricFact.all().delete()


def test_the_consumer_hears_every_event_that_changes_a_measure() -> None:
    for name in (
        "mandates:mandate:submitted",
        "mandates:signature:withdrawn",
        "mandates:rating:changed",
        "answers:response:published",
        "answers:mandate:assigned",
        "council:promise:missed",
        "costs:analysis:published",
        "plans:milestone:reached",
        "votes:ballot:cast",
        "deliberation:comment:deleted",
        "moderation:flags:dismissed",
        "visits:visit:recorded",
        "visits:invitation:sent",
        "visits:satisfaction:given",
        "accounts:user:deleted",
    ):
        assert "metrics" in consumers_of(name), name
    assert "metrics" not in consumers_of("deliberation:comment:edited")
