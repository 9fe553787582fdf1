"""The council's review queue: what is in it, filters, sorting, counts, pages, who sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from participation.actors import Actor
from participation.council.queue import QueueFilter, Sort, overdue_by_municipality, review_queue
from participation.errors import InvalidInput, NotAuthenticated, PermissionDenied
from participation.mandates import commands
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Department, Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import time_travel

pytestmark = pytest.mark.usefixtures("database")

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


# Thursday 26 November 2026, 10:00 in Berlin.
NOW = at(2026, 11, 26, 10, 0)


@dataclass
class Town:
    town: Municipality
    council: Actor
    initiator: Actor
    department: Department
    overdue: Mandate  # submitted Friday, due Wednesday, no answer: overdue
    answered: Mandate  # accepted, submitted Friday, answered: not overdue
    later: Mandate  # in review, submitted Monday, due Thursday


@pytest.fixture
async def queue_town() -> Town:
    town = await factories.municipality(quorum=2, service_promise_days=3)
    other = await factories.municipality(quorum=2)
    initiator = await factories.person(lives_in=town)
    council = await factories.council_member(town)
    department = await Department.create(municipality_id=town.id, name="Tiefbauamt")
    with time_travel(at(2026, 11, 20, 16, 0)):
        overdue = await factories.mandate(
            initiator, town, Status.SUBMITTED, district="mitte", topics=["verkehr"]
        )
        answered = await factories.mandate(initiator, town, Status.ACCEPTED, council=council)
    await Mandate.filter(id=answered.id).update(
        first_answer_at=at(2026, 11, 23, 9, 0), promise_kept=True
    )
    with time_travel(at(2026, 11, 23, 9, 0)):
        later = await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)
        await factories.mandate(initiator, town, Status.COMPLETED, council=council)
        await factories.mandate(initiator, town, Status.COLLECTING)
        other_initiator = await factories.person(lives_in=other)
        await factories.mandate(other_initiator, other, Status.SUBMITTED)
    await Mandate.filter(id=later.id).update(department_id=department.id)
    return Town(town, council, initiator, department, overdue, answered, later)


async def _ids(t: Town, **filters: object) -> list[int]:
    with time_travel(NOW):
        page = await review_queue(t.council, t.town.slug, QueueFilter(**filters))  # type: ignore[arg-type]
    return [item["id"] for item in page.items]


async def test_overdue_first_then_by_due_date_with_promise_and_counts(queue_town: Town) -> None:
    t = queue_town
    with time_travel(NOW):
        page = await review_queue(t.council, t.town.slug, QueueFilter())
    assert [i["id"] for i in page.items] == [t.overdue.id, t.answered.id, t.later.id]
    first = page.items[0]
    assert first["service_promise"]["light"] == "red" and first["service_promise"]["overdue"]
    assert page.items[1]["service_promise"] == {
        "due_at": at(2026, 11, 25, 23, 59, 59),
        "light": "yellow",
        "overdue": False,
        "first_answer_at": at(2026, 11, 23, 9, 0),
        "kept": True,
    }
    assert page.items[2]["department"] == {"id": t.department.id, "name": "Tiefbauamt"}
    assert first["department"] is None
    assert page.counts == {"red": 1, "yellow": 2, "green": 1, "overdue": 1}
    assert page.next is None


async def test_filters(queue_town: Town) -> None:
    t = queue_town
    assert await _ids(t, status=Status.SUBMITTED) == [t.overdue.id]
    assert await _ids(t, status=Status.IN_REVIEW) == [t.later.id]
    assert await _ids(t, district="mitte") == [t.overdue.id]
    assert await _ids(t, district="nowhere") == []
    assert await _ids(t, topic="Verkehr") == [t.overdue.id]
    assert await _ids(t, topic="schule") == []
    assert await _ids(t, department_id=t.department.id) == [t.later.id]
    assert await _ids(t, overdue=True) == [t.overdue.id]
    assert await _ids(t, overdue=True, status=Status.IN_REVIEW) == []


async def test_counts_follow_district_topic_and_department_not_status(queue_town: Town) -> None:
    t = queue_town
    with time_travel(NOW):
        mitte = await review_queue(t.council, t.town.slug, QueueFilter(district="mitte"))
        red_only = await review_queue(t.council, t.town.slug, QueueFilter(status=Status.SUBMITTED))
    assert mitte.counts == {"red": 1, "yellow": 0, "green": 0, "overdue": 1}
    assert red_only.counts == {"red": 1, "yellow": 2, "green": 1, "overdue": 1}


async def test_a_finished_mandate_never_answered_in_time_is_not_counted_overdue(
    queue_town: Town,
) -> None:
    t = queue_town
    # Completed, its promise long past and no first answer recorded: green, not overdue.
    finished = await Mandate.get(municipality_id=t.town.id, status=Status.COMPLETED)
    await Mandate.filter(id=finished.id).update(
        answer_due_at=at(2026, 11, 24, 23, 59, 59), first_answer_at=None
    )
    with time_travel(NOW):
        page = await review_queue(t.council, t.town.slug, QueueFilter())
    assert page.counts == {"red": 1, "yellow": 2, "green": 1, "overdue": 1}


async def test_sorting_by_submission_and_by_signatures(queue_town: Town) -> None:
    t = queue_town
    assert await _ids(t, sort=Sort.SUBMITTED) == [t.overdue.id, t.answered.id, t.later.id]
    for signer in await factories.people(2, lives_in=t.town):
        await commands.sign_mandate(signer, t.overdue.id)  # still submitted: signable
    for signer in await factories.people(1, lives_in=t.town):
        await commands.sign_mandate(signer, t.overdue.id)
    assert (await _ids(t, sort=Sort.SIGNATURES))[0] == t.overdue.id


async def test_pages_walk_the_whole_queue_in_order(queue_town: Town) -> None:
    t = queue_town
    for sort in Sort:
        seen: list[int] = []
        cursor = None
        with time_travel(NOW):
            for _ in range(5):
                page = await review_queue(t.council, t.town.slug, QueueFilter(sort=sort), 1, cursor)
                seen.extend(i["id"] for i in page.items)
                cursor = page.next
                if cursor is None:
                    break
        assert sorted(seen) == sorted([t.overdue.id, t.answered.id, t.later.id]), sort
        assert seen == await _ids(t, sort=sort)


async def test_bad_status_and_cursor_name_the_field(queue_town: Town) -> None:
    t = queue_town
    with pytest.raises(InvalidInput) as status:
        await review_queue(t.council, t.town.slug, QueueFilter(status=Status.COLLECTING))
    assert status.value.errors[0].field == "status"
    for cursor in ("x", "7.1.1", "1.2", "o.x"):
        with pytest.raises(InvalidInput) as bad:
            await review_queue(t.council, t.town.slug, QueueFilter(), cursor=cursor)
        assert bad.value.errors[0].field == "cursor"


async def test_who_sees_the_queue(queue_town: Town) -> None:
    t = queue_town
    admin = await factories.person(role=Role.ADMIN, municipality=t.town)
    elsewhere = await factories.council_member(await factories.municipality())
    citizen = await factories.person(lives_in=t.town)
    assert (await review_queue(admin, t.town.slug, QueueFilter())).items
    for refused in (citizen, t.initiator, elsewhere):
        with pytest.raises(PermissionDenied):
            await review_queue(refused, t.town.slug, QueueFilter())
    with pytest.raises(NotAuthenticated):
        await review_queue(None, t.town.slug, QueueFilter())


async def test_overdue_counts_for_the_header(queue_town: Town) -> None:
    t = queue_town
    empty = await factories.municipality(name="Zzz")
    with time_travel(NOW):
        counts = await overdue_by_municipality([t.town.id, empty.id])
    assert counts == [(t.town.slug, t.town.name, 1), (empty.slug, "Zzz", 0)]


async def test_a_cursor_past_the_ids_the_database_holds_is_refused(queue_town: Town) -> None:
    t = queue_town
    with pytest.raises(InvalidInput):
        await review_queue(t.council, t.town.slug, QueueFilter(), cursor="0.-353.5947812318")
