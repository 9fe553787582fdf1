"""The demo's towns: founded with their official keys, and a year that differs between them,
told through the commands and the same every time."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from notifications.visits.models import Invitation, ServiceVisit
from participation import db
from participation.accounts.models import PortalKey
from participation.council import queue as council_queue
from participation.deliberation.models import Comment
from participation.mandates import commands as mandate_commands
from participation.mandates.models import Mandate, Rating, Signature
from participation.moderation.models import Flag
from participation.municipalities import queries as municipality_queries
from participation.municipalities.founding import STATE_KEYS
from participation.municipalities.models import Department, District, Municipality
from participation.municipalities.queries import working_calendar
from participation.timeline.models import TimelineEntry
from participation.votes.models import Participation, Vote
from server import demo, demo_year
from server.demo_towns import TOWNS

# A fixed "now" makes two seeds comparable; a short year keeps the tests quick.
NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
SHORT = {"mandates": 12, "visits": 16}


async def _answer_days(slug: str) -> list[int]:
    town = await Municipality.get(slug=slug)
    calendar = await working_calendar(town)
    days = []
    for mandate in await Mandate.filter(municipality_id=town.id, first_answer_at__isnull=False):
        assert mandate.submitted_at is not None and mandate.first_answer_at is not None
        start = calendar.local_date(mandate.submitted_at)
        end = calendar.local_date(mandate.first_answer_at)
        days.append(
            sum(
                calendar.is_working_day(start + timedelta(n))
                for n in range(1, (end - start).days + 1)
            )
        )
    return days


async def _service_days(slug: str, code: str) -> list[float]:
    visits = await ServiceVisit.filter(
        municipality__slug=slug, service_type__code=code, completed_at__isnull=False
    )
    return [(v.completed_at - v.requested_at).total_seconds() / 86400 for v in visits]  # type: ignore[operator]


@pytest.mark.usefixtures("database")
async def test_three_towns_with_keys_districts_departments_services_and_a_portal() -> None:
    await demo.seed(towns=False)
    await demo_year.seed_towns(NOW, **SHORT)
    towns = await Municipality.all().order_by("id")
    assert [t.slug for t in towns] == ["demo", *(t.slug for t in TOWNS)]
    for town in towns:
        assert town.official_key is not None and town.state is not None
        assert town.official_key[:2] == STATE_KEYS[town.state]
    assert len({t.state for t in towns}) == 3
    for town in towns[1:]:
        assert town.population and town.default_quorum < 10
        assert await District.filter(municipality_id=town.id).count() >= 3
        assert await Department.filter(municipality_id=town.id).count() == 3
        assert await PortalKey.filter(municipality_id=town.id).count() == 1


@pytest.mark.usefixtures("database")
async def test_a_year_answered_fast_in_one_town_and_slow_in_the_other() -> None:
    await demo_year.seed_towns(NOW, **SHORT)
    fast, slow = (t.slug for t in TOWNS)
    # Spread over the year: launches, signatures, answers, comments, visits.
    months = Counter(e.created_at.strftime("%Y-%m") for e in await TimelineEntry.all())
    assert len(months) >= 10 and max(months) <= NOW.strftime("%Y-%m")
    visits = Counter(v.occurred_at.strftime("%Y-%m") for v in await ServiceVisit.all())
    assert len(visits) >= 10
    assert all(s.created_at < NOW for s in await Signature.all())
    assert median(await _answer_days(fast)) + 3 <= median(await _answer_days(slow))
    # Every answer in time in the fast town; in the slow one some too late, recorded so.
    kept = Counter(
        (m.municipality_id, m.promise_kept)
        for m in await Mandate.filter(first_answer_at__isnull=False)
    )
    ids = {t.slug: t.id for t in await Municipality.all()}
    assert kept[(ids[fast], True)] >= 8 and not kept[(ids[fast], False)]
    assert kept[(ids[slow], True)] and kept[(ids[slow], False)]
    missed = await TimelineEntry.filter(kind="promise_missed", mandate__municipality_id=ids[slow])
    assert len(missed) == kept[(ids[slow], False)]
    statuses = Counter(str(m.status) for m in await Mandate.all())
    assert statuses["completed"] and statuses["rejected"] and statuses["in_progress"]
    assert await Rating.all().count() and await Flag.all().count() and await Comment.all().count()
    assert await TimelineEntry.filter(kind="cost_analysis").count()
    assert await Vote.filter(status="published").count() == 2 * len(demo_year.VOTES)
    assert await Participation.all().count() >= 20
    # Re-registration: days here, weeks there.
    code = "residence.registration"
    assert max(await _service_days(fast, code)) <= 3 < 14 <= min(await _service_days(slow, code))
    assert await Invitation.filter(score__isnull=False).count() >= 5


@pytest.mark.usefixtures("database")
async def test_the_timelines_of_the_towns_are_in_order() -> None:
    await demo_year.seed_towns(NOW, **SHORT)
    for mandate in await Mandate.all():
        entries = await TimelineEntry.filter(mandate_id=mandate.id).order_by("id")
        times = [e.created_at for e in entries]
        assert times == sorted(times) and times[0] == mandate.created_at
        assert mandate.published_at is not None and mandate.published_at in times


@pytest.mark.usefixtures("database")
async def test_seeding_again_changes_nothing() -> None:
    assert await demo.seed(towns=False)
    await demo_year.seed_towns(NOW, **SHORT)
    before = await _fingerprint()
    assert not await demo.seed()
    assert await _fingerprint() == before


async def _fingerprint() -> dict[str, Any]:
    """What two seeds must agree on, without ids, tokens or keys."""
    mandates = await Mandate.all().order_by("id")
    return {
        "mandates": [
            (m.title, m.status, m.submitted_at, m.first_answer_at, m.promise_kept, m.closed_at)
            for m in mandates
        ],
        "timeline": await TimelineEntry.all().order_by("id").values_list("kind", "created_at"),
        "signatures": await Signature.all().order_by("id").values_list("created_at", flat=True),
        "visits": await ServiceVisit.all()
        .order_by("id")
        .values_list("occurred_at", "requested_at", "outcome"),
        "invitations": await Invitation.all().order_by("id").values_list("sent_at", "score"),
        "ratings": await Rating.all().order_by("id").values_list("created_at", "score"),
        "ballots": await Participation.all().order_by("id").values_list("created_at", flat=True),
        "comments": await Comment.all().order_by("id").values_list("created_at", "body"),
    }


async def _seed_into(url: str) -> dict[str, Any]:
    # Ids start again in the new database: so must the process-wide caches of them.
    mandate_commands._homes.clear()
    municipality_queries._places.clear()
    council_queue._names.clear()
    await db.init(url)
    try:
        await demo_year.seed_towns(NOW, **SHORT)
        return await _fingerprint()
    finally:
        await db.close()


async def test_two_seeds_into_two_databases_give_the_same_records(
    template_database: str, tmp_path: Path
) -> None:
    # Two SQLite files from the migrated template; on PostgreSQL a migrated one each.
    urls = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.sqlite3"
        if not template_database.startswith("postgres"):
            shutil.copyfile(template_database, path)
        else:
            await db.migrate(f"sqlite://{path}")
            await db.close()
        urls.append(f"sqlite://{path}")
    first = await _seed_into(urls[0])
    assert first["visits"] and first["invitations"]
    assert first == await _seed_into(urls[1])
