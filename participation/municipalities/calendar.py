"""Working days of a municipality, for the service promise: pure rules, no I/O.

A working day is Monday to Friday, neither a public holiday of the municipality's
Bundesland (the `holidays` package; the nationwide ones when no state is set) nor one of
its local holidays. Dates are reckoned in the municipality's time zone.

The promise of N working days runs from the day after the submission's local date: the
first working day after that date is day 1, and the answer is due at the end of day N,
23:59:59 local time. A mandate submitted on Friday at 16:00 with a promise of three days
is due on Wednesday at 23:59:59; one submitted on a Saturday is due on the same Wednesday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays

from participation.messages import Message

DEFAULT_ZONE = "Europe/Berlin"
END_OF_DAY = time(23, 59, 59)

# The Länder by the code the holidays package names them, with their names (English, and
# German from the catalogue) for the administrators' select and the landing page.
STATES: dict[str, Message] = {
    "BW": Message("Baden-Württemberg"),
    "BY": Message("Bavaria"),
    "BE": Message("Berlin"),
    "BB": Message("Brandenburg"),
    "HB": Message("Bremen"),
    "HH": Message("Hamburg"),
    "HE": Message("Hesse"),
    "MV": Message("Mecklenburg-Western Pomerania"),
    "NI": Message("Lower Saxony"),
    "NW": Message("North Rhine-Westphalia"),
    "RP": Message("Rhineland-Palatinate"),
    "SL": Message("Saarland"),
    "SN": Message("Saxony"),
    "ST": Message("Saxony-Anhalt"),
    "SH": Message("Schleswig-Holstein"),
    "TH": Message("Thuringia"),
}

# A promise longer than this is no promise; it also bounds every loop below.
MAX_PROMISE_DAYS = 60


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (Europe/Berlin, UTC, …)."""
    if not name or name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=64)
def _public_holidays(state: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv=state, years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    state: str | None = None
    local_holidays: frozenset[date] = field(default_factory=frozenset)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_ZONE))

    @classmethod
    def of(
        cls, state: str | None, local_holidays: Iterable[date], time_zone: str | None
    ) -> WorkingCalendar:
        return cls(state, frozenset(local_holidays), ZoneInfo(time_zone or DEFAULT_ZONE))

    def is_holiday(self, day: date) -> bool:
        return day in self.local_holidays or day in _public_holidays(self.state, day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def add_working_days(self, day: date, days: int) -> date:
        """The `days`-th working day after `day` (not counting `day` itself)."""
        if not 0 <= days <= MAX_PROMISE_DAYS:
            raise ValueError(f"days must be between 0 and {MAX_PROMISE_DAYS}")
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` up to and including `end`: 0 for the
        same day, 1 from a Friday to the Monday after (or from a Saturday to a Monday)."""
        counted = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return counted

    def previous_working_day(self, day: date) -> date:
        """The last working day before `day`."""
        # Weeks without a single working day do not exist; a month bounds the search.
        for _ in range(31):
            day -= timedelta(days=1)
            if self.is_working_day(day):
                return day
        return day

    def end_of(self, day: date) -> datetime:
        """23:59:59 of `day` in the municipality's zone, in UTC."""
        return datetime.combine(day, END_OF_DAY, tzinfo=self.zone).astimezone(UTC)

    def start_of(self, day: date) -> datetime:
        """00:00 of `day` in the municipality's zone, in UTC."""
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    def due_at(self, submitted_at: datetime, days: int) -> datetime:
        """When a first answer to a mandate submitted at `submitted_at` is due."""
        return self.end_of(self.add_working_days(self.local_date(submitted_at), days))

    def reminder_at(self, due_at: datetime) -> datetime:
        """When "due tomorrow" is said: the start of the last working day before the due
        day (a Friday for a Monday, the Thursday before Easter for the Tuesday after)."""
        return self.start_of(self.previous_working_day(self.local_date(due_at)))
