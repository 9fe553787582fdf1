"""Working days and due dates of the service promise, in the municipality's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from participation.municipalities.calendar import WorkingCalendar, known_zone

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def local(moment: datetime, zone: ZoneInfo = BERLIN) -> datetime:
    return moment.astimezone(zone)


def test_friday_afternoon_with_three_days_is_due_wednesday_end_of_day() -> None:
    calendar = WorkingCalendar.of("BB", [], "Europe/Berlin")
    due = calendar.due_at(berlin(2026, 11, 20, 16, 0), 3)  # a Friday
    assert local(due) == berlin(2026, 11, 25, 23, 59, 59)  # Wednesday
    assert due.tzinfo is not None and due.utcoffset() == UTC.utcoffset(None)


def test_the_submission_day_does_not_count_even_early_on_a_working_day() -> None:
    calendar = WorkingCalendar.of(None, [], None)
    assert local(calendar.due_at(berlin(2026, 11, 23, 8, 0), 3)).date() == date(2026, 11, 26)


def test_a_weekend_submission_counts_from_monday() -> None:
    calendar = WorkingCalendar.of(None, [], None)
    saturday = calendar.due_at(berlin(2026, 11, 21, 10, 0), 3)
    sunday = calendar.due_at(berlin(2026, 11, 22, 23, 0), 3)
    assert local(saturday).date() == local(sunday).date() == date(2026, 11, 25)


def test_the_states_holidays_are_no_working_days() -> None:
    # Corpus Christi (4 June 2026) is a holiday in Bavaria, not in Brandenburg.
    wednesday = berlin(2026, 6, 3, 12, 0)
    assert local(WorkingCalendar.of("BY", [], None).due_at(wednesday, 1)).date() == date(2026, 6, 5)
    assert local(WorkingCalendar.of("BB", [], None).due_at(wednesday, 1)).date() == date(2026, 6, 4)
    # Reformation Day (31 October, a Monday in 2022) in Brandenburg, not in Bavaria.
    friday = berlin(2022, 10, 28, 12, 0)
    assert local(WorkingCalendar.of("BB", [], None).due_at(friday, 1)).date() == date(2022, 11, 1)
    assert local(WorkingCalendar.of("BY", [], None).due_at(friday, 1)).date() == date(2022, 10, 31)


def test_without_a_state_only_nationwide_holidays_count() -> None:
    calendar = WorkingCalendar.of(None, [], None)
    assert not calendar.is_working_day(date(2026, 10, 3))  # German Unity Day, a Saturday
    assert not calendar.is_working_day(date(2026, 5, 1))  # Labour Day, a Friday
    assert calendar.is_working_day(date(2026, 6, 4))  # Corpus Christi is regional


def test_local_holidays_are_skipped() -> None:
    # Rosenmontag 2027 is 8 February: a Friday submission is then due on Thursday.
    carnival = WorkingCalendar.of("NW", [date(2027, 2, 8)], None)
    plain = WorkingCalendar.of("NW", [], None)
    friday = berlin(2027, 2, 5, 16, 0)
    assert local(carnival.due_at(friday, 3)).date() == date(2027, 2, 11)
    assert local(plain.due_at(friday, 3)).date() == date(2027, 2, 10)


def test_crossing_christmas_and_the_years_end() -> None:
    calendar = WorkingCalendar.of("BB", [], None)
    # Wed 23 Dec 2026 → Thu 24, (Fri 25, Sat, Sun 27 off), Mon 28, Tue 29.
    assert local(calendar.due_at(berlin(2026, 12, 23, 10, 0), 3)).date() == date(2026, 12, 29)
    # Tue 29 Dec 2026 → Wed 30, Thu 31, (Fri 1 Jan off, weekend), Mon 4 Jan 2027.
    assert local(calendar.due_at(berlin(2026, 12, 29, 10, 0), 3)).date() == date(2027, 1, 4)
    # Christmas on weekdays: 25/26 Dec 2025 are Thursday and Friday.
    assert local(calendar.due_at(berlin(2025, 12, 24, 9, 0), 1)).date() == date(2025, 12, 29)


def test_the_municipalitys_zone_decides_the_day_around_midnight() -> None:
    calendar = WorkingCalendar.of(None, [], "Europe/Berlin")
    # Thursday 23:30 UTC is already Friday 00:30 in Berlin: counted from Friday.
    late = datetime(2026, 11, 19, 23, 30, tzinfo=UTC)
    assert local(calendar.due_at(late, 3)).date() == date(2026, 11, 25)
    # Thursday 22:59 UTC is Thursday 23:59 in Berlin: counted from Thursday.
    before = datetime(2026, 11, 19, 22, 59, tzinfo=UTC)
    assert local(calendar.due_at(before, 3)).date() == date(2026, 11, 24)
    # The same instant in a zone west of UTC is still Thursday there.
    azores = WorkingCalendar.of(None, [], "Atlantic/Azores")
    assert local(azores.due_at(late, 3), ZoneInfo("Atlantic/Azores")).date() == date(2026, 11, 24)


def test_end_of_day_follows_daylight_saving_changes() -> None:
    calendar = WorkingCalendar.of(None, [], "Europe/Berlin")
    # Summer time begins on Sunday 29 March 2026; Friday 27 is in winter time (UTC+1),
    # the due Wednesday in summer time (UTC+2).
    due = calendar.due_at(berlin(2026, 3, 27, 16, 0), 3)
    assert due == datetime(2026, 4, 1, 21, 59, 59, tzinfo=UTC)
    assert local(due) == berlin(2026, 4, 1, 23, 59, 59)
    # Winter time begins on Sunday 25 October 2026: due Wednesday 28 at 22:59:59 UTC.
    due = calendar.due_at(berlin(2026, 10, 23, 16, 0), 3)
    assert due == datetime(2026, 10, 28, 22, 59, 59, tzinfo=UTC)


def test_the_reminder_comes_on_the_last_working_day_before_the_due_day() -> None:
    calendar = WorkingCalendar.of("BB", [], None)
    wednesday = calendar.due_at(berlin(2026, 11, 20, 16, 0), 3)
    assert local(calendar.reminder_at(wednesday)) == berlin(2026, 11, 24, 0, 0)
    # Due on the Tuesday after Easter Monday (6 April 2026): reminded on Thursday 2 April.
    tuesday = calendar.end_of(date(2026, 4, 7))
    assert local(calendar.reminder_at(tuesday)) == berlin(2026, 4, 2, 0, 0)


def test_promises_out_of_range_are_refused() -> None:
    calendar = WorkingCalendar.of(None, [], None)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 1, 1), 61)


def test_known_zones() -> None:
    assert known_zone("Europe/Berlin") and known_zone("UTC")
    assert not known_zone("Mars/Olympus") and not known_zone("") and not known_zone("../etc")
