"""Quiet hours and digest times in local time, across midnight and clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.email.timing import Quiet, digest_time, held_until, zone
from notifications.models import Cadence

BERLIN = zone("Europe/Berlin")


def test_quiet_hours_span_midnight_and_end_at_seven_local() -> None:
    quiet = Quiet()
    evening = datetime(2026, 1, 10, 21, 0, tzinfo=UTC)  # 22:00 in winter
    assert held_until(evening, BERLIN, quiet) == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    after_midnight = datetime(2026, 1, 11, 2, 0, tzinfo=UTC)
    assert held_until(after_midnight, BERLIN, quiet) == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    assert held_until(datetime(2026, 1, 11, 6, 0, tzinfo=UTC), BERLIN, quiet) is None
    assert held_until(datetime(2026, 1, 10, 20, 59, tzinfo=UTC), BERLIN, quiet) is None


def test_quiet_hours_can_be_off_or_within_one_day() -> None:
    night = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)
    assert held_until(night, BERLIN, Quiet(enabled=False)) is None
    assert held_until(night, BERLIN, Quiet(start=1, until=1)) is None
    lunch = datetime(2026, 1, 10, 11, 30, tzinfo=UTC)  # 12:30
    assert held_until(lunch, BERLIN, Quiet(start=12, until=14)) == datetime(
        2026, 1, 10, 13, 0, tzinfo=UTC
    )


def test_the_daily_digest_is_the_next_seven_oclock_after_the_notification() -> None:
    late = datetime(2026, 1, 10, 22, 59, tzinfo=UTC)  # 23:59 local
    assert digest_time(late, BERLIN, Cadence.DAILY) == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    at_seven = datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    assert digest_time(at_seven, BERLIN, Cadence.DAILY) == datetime(2026, 1, 12, 6, 0, tzinfo=UTC)


def test_digests_keep_seven_oclock_local_across_the_clock_change() -> None:
    # Summer time begins on Sunday 29 March 2026 at 02:00.
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert digest_time(saturday, BERLIN, Cadence.DAILY) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert digest_time(saturday, BERLIN, Cadence.WEEKLY) == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)


def test_the_weekly_digest_is_monday_seven_oclock() -> None:
    monday_morning = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # 06:00 local, a Monday
    assert digest_time(monday_morning, BERLIN, Cadence.WEEKLY) == datetime(
        2026, 6, 15, 5, 0, tzinfo=UTC
    )
    monday_noon = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    assert digest_time(monday_noon, BERLIN, Cadence.WEEKLY) == datetime(
        2026, 6, 22, 5, 0, tzinfo=UTC
    )
