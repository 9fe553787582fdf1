"""The settings administrators change on their municipality, each with its own rule.

One cleaner per field turns what was sent (JSON values from the API, text from a form)
into the value to store, or names what is wrong with it; `clean` runs them all, so every
bad field is named at once. A new setting is one more entry in `CLEANERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError

from participation import single_line
from participation.errors import FieldError
from participation.messages import Message
from participation.municipalities.calendar import MAX_PROMISE_DAYS, STATES, known_zone
from participation.municipalities.licences import LICENCES

QUORUM_MAX = 1_000_000
POPULATION_MAX = 100_000_000
HOLIDAYS_MAX = 100
HOLIDAY_NAME_MAX = 120
FLAG_THRESHOLD_MAX = 100
NEW_ACCOUNT_HOURS_MAX = 720
FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = 200
PERIOD_MIN, PERIOD_MAX = 7, 365
PHONE_MAX = 40
ADDRESS_MAX = 500
_email = TypeAdapter(EmailStr)


class Invalid(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Holiday:
    date: date
    name: str = ""


def _integer(value: Any, low: int, high: int) -> int:
    # ASCII digits only, and few of them: "²" counts as a digit to isdigit() but not to
    # int(), and int() refuses very long numbers; both would be a 500.
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(Message("Enter a whole number."))
    if not low <= value <= high:
        raise Invalid(Message("Enter a number from %(low)s to %(high)s.", low=low, high=high))
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(Message("Give the municipality a name."))
    if single_line.problem(value.strip()):
        raise Invalid(single_line.MESSAGE)
    name = " ".join(value.split())
    if len(name) > NAME_MAX:
        raise Invalid(Message("The name must be at most %(max)s characters.", max=NAME_MAX))
    return name


def _signature_period(value: Any) -> int:
    return _integer(value, PERIOD_MIN, PERIOD_MAX)


def _contact_email(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    try:
        return str(_email.validate_python(str(value).strip())).lower()
    except ValidationError:
        raise Invalid(Message("Enter a valid email address.")) from None


def _contact_phone(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    text = " ".join(str(value).split())
    allowed = set("0123456789 +-/()")
    if len(text) > PHONE_MAX or not set(text) <= allowed or not any(c.isdigit() for c in text):
        raise Invalid(
            Message(
                "Enter a phone number of digits, spaces and + - / ( ), at most %(max)s characters.",
                max=PHONE_MAX,
            )
        )
    return text


def _contact_address(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(Message("Enter the postal address as text."))
    lines = [" ".join(line.split()) for line in value.strip().splitlines()]
    text = "\n".join(line for line in lines if line)
    if len(text) > ADDRESS_MAX:
        raise Invalid(Message("The address must be at most %(max)s characters.", max=ADDRESS_MAX))
    return text


def _quorum(value: Any) -> int:
    return _integer(value, 1, QUORUM_MAX)


def _promise_days(value: Any) -> int:
    return _integer(value, 1, MAX_PROMISE_DAYS)


def _population(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return _integer(value, 0, POPULATION_MAX)


def _flag_threshold(value: Any) -> int:
    return _integer(value, 1, FLAG_THRESHOLD_MAX)


def _new_account_hours(value: Any) -> int:
    return _integer(value, 0, NEW_ACCOUNT_HOURS_MAX)


def _state(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().upper() not in STATES:
        raise Invalid(
            Message(
                "Unknown state; use one of the codes %(codes)s, or none for the nationwide "
                "holidays only.",
                codes=", ".join(sorted(STATES)),
            )
        )
    return value.strip().upper()


def _time_zone(value: Any) -> str:
    if not isinstance(value, str) or not known_zone(value.strip()):
        raise Invalid(Message("Unknown time zone; use a name such as Europe/Berlin."))
    return value.strip()


def _open_data_licence(value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in LICENCES:
        raise Invalid(Message("Choose one of the licences %(codes)s.", codes=", ".join(LICENCES)))
    return value.strip()


def _day(value: Any) -> date:
    day: date | None = value if isinstance(value, date) else None
    if day is None and isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise Invalid(Message("Enter dates as YYYY-MM-DD, such as 2027-02-08."))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid(
            Message(
                "Dates must lie between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    return day


def _holidays(value: Any) -> list[Holiday]:
    """ISO dates, or objects with `date` and `name`; the list replaces the old one."""
    if not isinstance(value, list):
        raise Invalid(Message("Send a list of dates."))
    if len(value) > HOLIDAYS_MAX:
        raise Invalid(Message("At most %(max)s local holidays.", max=HOLIDAYS_MAX))
    chosen: dict[date, Holiday] = {}
    for item in value:
        if isinstance(item, Mapping):
            name = item.get("name") or ""
            if not isinstance(name, str) or len(name) > HOLIDAY_NAME_MAX or "\x00" in name:
                raise Invalid(
                    Message(
                        "A holiday's name has at most %(max)s characters.", max=HOLIDAY_NAME_MAX
                    )
                )
            holiday = Holiday(_day(item.get("date")), " ".join(name.split()))
        else:
            holiday = Holiday(_day(item))
        chosen[holiday.date] = holiday
    return sorted(chosen.values(), key=lambda h: h.date)


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "default_quorum": _quorum,
    "signature_period_days": _signature_period,
    "service_promise_days": _promise_days,
    "state": _state,
    "local_holidays": _holidays,
    "population": _population,
    "time_zone": _time_zone,
    "flag_threshold": _flag_threshold,
    "new_account_hours": _new_account_hours,
    "contact_email": _contact_email,
    "contact_phone": _contact_phone,
    "contact_address": _contact_address,
    "open_data_licence": _open_data_licence,
}


def clean(
    changes: Mapping[str, Any], cleaners: Mapping[str, Callable[[Any], Any]] = CLEANERS
) -> tuple[dict[str, Any], list[FieldError]]:
    """The cleaned values of `changes`, and a FieldError for each field that is wrong (or
    that `cleaners` does not know)."""
    cleaned: dict[str, Any] = {}
    problems: list[FieldError] = []
    for name, value in changes.items():
        cleaner = cleaners.get(name)
        if cleaner is None:
            problems.append(FieldError(name, Message("Unknown field %(name)r.", name=name)))
            continue
        try:
            cleaned[name] = cleaner(value)
        except Invalid as exc:
            problems.append(FieldError(name, exc.message))
    return cleaned, problems
