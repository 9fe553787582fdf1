"""The figures in words, in the reader's language: "3 working days", "72 %", "4.2 of 5",
"based on 31 cases", "95 % between 2 and 5", and the periods' names.

Numbers follow the reader's notation (a decimal comma in German) through Babel, as the
other pages' numbers do (server/templating.py).
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from participation.messages import Message
from server import i18n

LAST_12_MONTHS = "last-12-months"


def number(value: float, digits: int = 1) -> str:
    """Up to `digits` decimals, none for a whole number: 3, 4.2 (4,2 in German), 1,234."""
    return format_decimal(value, format="#,##0." + "#" * digits, locale=i18n.current())


def _plural(value: float) -> int:
    """The count that picks the plural form: only exactly one is singular."""
    return 1 if value == 1 else 2


def amount(unit: str, value: float | None) -> str:
    """A value with its unit in words; "no data" for none."""
    if value is None:
        return i18n.gettext(Message("no data"))
    text = number(value)
    if unit == "working_days":
        form = i18n.ngettext("%(num)s working day", "%(num)s working days", _plural(value))
    elif unit == "days":
        form = i18n.ngettext("%(num)s day", "%(num)s days", _plural(value))
    elif unit == "hours":
        form = i18n.ngettext("%(num)s hour", "%(num)s hours", _plural(value))
    elif unit == "share":
        return share(value)
    elif unit == "score":
        return i18n.gettext(Message("%(score)s of 5", score=text))
    else:
        form = "%(num)s"
    return form % {"num": text}


def share(value: float) -> str:
    return format_percent(value, locale=i18n.current())


def bound(unit: str, value: float) -> str:
    """An interval's end: a share as a percentage, anything else as its number."""
    return share(value) if unit == "share" else number(value)


def interval(unit: str, low_high: tuple[float, float] | None) -> str | None:
    if low_high is None:
        return None
    low, high = low_high
    message = Message(
        "95 %% between %(low)s and %(high)s", low=bound(unit, low), high=bound(unit, high)
    )
    return i18n.gettext(message)


def span(unit: str, low_high: tuple[float, float] | None) -> str:
    """An interval in a table's column headed "95 % interval": just "2–5"."""
    if low_high is None:
        return "–"
    return f"{bound(unit, low_high[0])}–{bound(unit, low_high[1])}"


def cases(n: int) -> str:
    return i18n.ngettext("based on %(num)s case", "based on %(num)s cases", n) % {"num": number(n)}


def case_count(n: int) -> str:
    return i18n.ngettext("%(num)s case", "%(num)s cases", n) % {"num": number(n)}


def not_ranked(n: int) -> str:
    return i18n.ngettext("not ranked: %(num)s case", "not ranked: %(num)s cases", n) % {
        "num": number(n)
    }


def per_1000(value: float | None) -> str | None:
    if value is None:
        return None
    return i18n.gettext(Message("%(num)s per 1,000 inhabitants", num=number(value)))


def p90(unit: str, value: float | None) -> str | None:
    if value is None:
        return None
    return i18n.gettext(Message("90 %% of cases within %(value)s", value=amount(unit, value)))


def month(name: str) -> str:
    """`2026-11` as "November 2026"."""
    day = date(int(name[:4]), int(name[5:7]), 1)
    return format_date(day, format="MMMM y", locale=i18n.current())


def short_month(name: str) -> str:
    day = date(int(name[:4]), int(name[5:7]), 1)
    return format_date(day, format="MMM y", locale=i18n.current())


def period(name: str) -> str:
    """A period's name for people: "November 2026", "Q4 2026", "2026"."""
    if name == LAST_12_MONTHS:
        return i18n.gettext(Message("Last 12 months"))
    if len(name) == 7 and name[4:6] == "-Q":
        return i18n.gettext(Message("Q%(quarter)s %(year)s", quarter=name[6], year=name[:4]))
    if len(name) == 7 and name[4] == "-":
        return month(name)
    return name
