"""When an email may go: never in the recipient's quiet hours, and digests at 07:00 local
time (daily) or on Monday at 07:00 (weekly), in her municipality's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifications.models import Cadence

DIGEST_HOUR = 7
MONDAY = 0
DEFAULT_ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Quiet:
    """Hours in which no email goes, from `start` to `until` o'clock local time; they may
    span midnight (22 to 7). Equal hours mean none."""

    enabled: bool = True
    start: int = 22
    until: int = 7

    def covers(self, hour: int) -> bool:
        if not self.enabled or self.start == self.until:
            return False
        if self.start < self.until:
            return self.start <= hour < self.until
        return hour >= self.start or hour < self.until


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


def _at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def held_until(moment: datetime, tz: ZoneInfo, quiet: Quiet) -> datetime | None:
    """The end of the quiet hours `moment` falls in, or None when it is not quiet."""
    local = moment.astimezone(tz)
    if not quiet.covers(local.hour):
        return None
    day = local.date()
    if quiet.start > quiet.until and local.hour >= quiet.start:
        day += timedelta(days=1)
    return _at(day, quiet.until, tz)


def digest_time(created: datetime, tz: ZoneInfo, cadence: Cadence) -> datetime:
    """The first digest after `created`: the next 07:00 local (daily), or the next Monday
    07:00 (weekly). Computed from when the notification was made, so a second look at a
    row already scheduled gives the same time."""
    local = created.astimezone(tz)
    day = local.date()
    while True:
        slot = _at(day, DIGEST_HOUR, tz)
        if slot > created and (cadence != Cadence.WEEKLY or day.weekday() == MONDAY):
            return slot
        day += timedelta(days=1)
