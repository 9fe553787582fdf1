"""The service promise's clock: "due tomorrow" and "missed", each once per mandate."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from participation.council.promise import watch_promises
from participation.mandates.models import Mandate, Status
from participation.mandates.promise import service_promise
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import time_travel

pytestmark = pytest.mark.usefixtures("database")

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY_AFTERNOON = datetime(2026, 11, 20, 16, 0, tzinfo=BERLIN)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


async def _submitted_friday(status: Status = Status.SUBMITTED) -> Mandate:
    town = await factories.municipality(service_promise_days=3)
    await Municipality.filter(id=town.id).update(state="BB")
    initiator = await factories.person(lives_in=town)
    with time_travel(FRIDAY_AFTERNOON.astimezone(UTC)):
        return await factories.mandate(initiator, town, status)


async def _events(mandate_id: int, name: str) -> list[OutboxEvent]:
    return await OutboxEvent.filter(name=name, subject_id=mandate_id).order_by("id")


async def _run(moment: datetime) -> dict[str, int]:
    with time_travel(moment.astimezone(UTC)):
        return await watch_promises()


async def test_a_friday_submission_is_due_wednesday_end_of_day() -> None:
    mandate = await _submitted_friday()
    assert mandate.answer_due_at == at(2026, 11, 25, 23, 59, 59)


async def test_reminded_on_the_working_day_before_and_missed_after_the_due_day_once_each() -> None:
    mandate = await _submitted_friday()
    assert await _run(at(2026, 11, 23, 23, 59)) == {"reminded": 0, "missed": 0}
    assert await _run(at(2026, 11, 24, 0, 1)) == {"reminded": 1, "missed": 0}
    assert await _run(at(2026, 11, 24, 9, 0)) == {"reminded": 0, "missed": 0}
    assert await _run(at(2026, 11, 25, 23, 59, 0)) == {"reminded": 0, "missed": 0}
    assert await _run(at(2026, 11, 26, 0, 0, 30)) == {"reminded": 0, "missed": 1}
    assert await _run(at(2026, 11, 26, 0, 1, 30)) == {"reminded": 0, "missed": 0}

    reminded = await _events(mandate.id, "council:promise:reminded")
    assert len(reminded) == 1
    assert reminded[0].payload == {
        "mandate_id": mandate.id,
        "due_at": at(2026, 11, 25, 23, 59, 59).astimezone(UTC).isoformat(),
    }
    assert reminded[0].municipality_id == mandate.municipality_id
    assert len(await _events(mandate.id, "council:promise:missed")) == 1
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="promise_missed")
    assert len(entries) == 1 and entries[0].actor_id is None
    current = await Mandate.get(id=mandate.id)
    assert current.promise_reminded_at is not None and current.promise_overdue_at is not None


async def test_a_mandate_answered_in_time_gets_neither() -> None:
    mandate = await _submitted_friday(Status.IN_REVIEW)
    await Mandate.filter(id=mandate.id).update(
        first_answer_at=at(2026, 11, 23, 10, 0), promise_kept=True
    )
    assert await _run(at(2026, 11, 24, 9, 0)) == {"reminded": 0, "missed": 0}
    assert await _run(at(2026, 11, 30, 9, 0)) == {"reminded": 0, "missed": 0}
    assert await _events(mandate.id, "council:promise:missed") == []


async def test_a_job_that_was_down_records_the_miss_but_no_late_reminder() -> None:
    mandate = await _submitted_friday()
    assert await _run(at(2026, 12, 1, 9, 0)) == {"reminded": 0, "missed": 1}
    assert await _events(mandate.id, "council:promise:reminded") == []


async def test_closed_mandates_are_left_alone() -> None:
    mandate = await _submitted_friday(Status.REJECTED)
    assert await _run(at(2026, 12, 1, 9, 0)) == {"reminded": 0, "missed": 0}
    assert await _events(mandate.id, "council:promise:missed") == []


async def test_concurrent_runs_record_each_event_once() -> None:
    mandates = [await _submitted_friday() for _ in range(3)]
    with time_travel(at(2026, 11, 24, 8, 0).astimezone(UTC)):
        await asyncio.gather(*(watch_promises() for _ in range(4)))
    with time_travel(at(2026, 11, 27, 8, 0).astimezone(UTC)):
        await asyncio.gather(*(watch_promises() for _ in range(4)))
    for mandate in mandates:
        assert len(await _events(mandate.id, "council:promise:reminded")) == 1
        assert len(await _events(mandate.id, "council:promise:missed")) == 1
        assert await TimelineEntry.filter(mandate_id=mandate.id, kind="promise_missed").count() == 1


@pytest.mark.postgres
async def test_concurrent_runs_on_postgres_record_each_event_once() -> None:
    # Runs on their own connections from the pool: the conditional UPDATE of the second
    # waits for the first's commit, then finds the column set.
    await test_concurrent_runs_record_each_event_once()


# -- the light and "overdue", derived when read ---------------------------------------------


DUE = datetime(2026, 11, 25, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "light"),
    [
        ("submitted", "red"),
        ("in_review", "yellow"),
        ("accepted", "yellow"),
        ("in_progress", "yellow"),
        ("completed", "green"),
        ("rejected", "green"),
    ],
)
def test_the_light_follows_the_status(status: str, light: str) -> None:
    view = service_promise(status, DUE, None, None, DUE)
    assert view is not None and view["light"] == light


@pytest.mark.parametrize("status", ["draft", "collecting", "withdrawn", "expired"])
def test_mandates_that_never_reached_the_council_have_no_promise(status: str) -> None:
    assert service_promise(status, None, None, None, DUE) is None


def test_overdue_once_past_the_due_time_without_a_first_answer() -> None:
    just_before = service_promise("in_review", DUE, None, None, DUE)
    one_second_late = DUE.replace(hour=23, minute=0, second=0)
    just_after = service_promise("in_review", DUE, None, None, one_second_late)
    assert just_before is not None and just_before["overdue"] is False
    assert just_after is not None and just_after["overdue"] is True
    answered = service_promise("in_review", DUE, DUE, True, DUE.replace(day=30))
    assert answered == {
        "due_at": DUE,
        "light": "yellow",
        "overdue": False,
        "first_answer_at": DUE,
        "kept": True,
    }


def test_a_missed_promise_reaches_open_mandate_pages_live() -> None:
    from participation.mandates.live import LIVE

    assert LIVE.matches("council:promise:missed")
    assert not LIVE.matches("council:promise:reminded")  # no timeline entry: nothing to show
