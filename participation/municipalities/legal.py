"""The legal pages a German public body must publish: its Impressum (DDG § 5), whom to ask
about data protection, and its accessibility statement as BITV 2.0 § 7 structures it
(status of conformity, known barriers, when it was made, a way to report barriers, the
enforcement body). The administrators write the texts; a barrier report reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from participation import clock, unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities.models import BarrierReport, Municipality
from participation.municipalities.queries import municipality_by_slug
from participation.municipalities.settings import Invalid, _day

TEXT_MAX = 5000
NAME_MAX = 120
EMAIL_MAX = 254
PAGE_MAX = 500


class Conformity(StrEnum):
    """How far the pages meet BITV 2.0 (and so WCAG 2.1 AA, EN 301 549)."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


def _text(value: Any, limit: int = TEXT_MAX) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(Message("Enter text."))
    text = value.strip().replace("\r\n", "\n")
    if len(text) > limit:
        raise Invalid(Message("At most %(max)s characters.", max=limit))
    return text or None


def _status(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return Conformity(value).value
    except ValueError:
        choices = ", ".join(c.value for c in Conformity)
        raise Invalid(Message("Choose one of %(choices)s.", choices=choices)) from None


def _reviewed(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return _day(value)


CLEANERS = {
    "impressum_text": _text,
    "privacy_contact_text": _text,
    "accessibility_status": _status,
    "accessibility_barriers": _text,
    "accessibility_reviewed_on": _reviewed,
    "enforcement_body_text": _text,
}


# The accessibility statement's own content; changing it makes it a new statement.
STATEMENT = ("accessibility_status", "accessibility_barriers", "enforcement_body_text")


def dated(municipality: Municipality, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Saving a changed accessibility statement dates it to today, the municipality's day
    (BITV 2.0 § 7 asks when it was made or last reviewed), unless the administrators give
    another date in the same change."""
    changed = any(
        name in cleaned and cleaned[name] != getattr(municipality, name) for name in STATEMENT
    )
    stored = municipality.accessibility_reviewed_on
    if changed and cleaned.get("accessibility_reviewed_on", stored) == stored:
        zone = ZoneInfo(municipality.time_zone or "Europe/Berlin")
        return {**cleaned, "accessibility_reviewed_on": clock.now().astimezone(zone).date()}
    return cleaned


def barriers(municipality: Municipality) -> list[str]:
    """The known barriers, one a line as the administrators wrote them."""
    text = municipality.accessibility_barriers or ""
    return [line.strip().lstrip("-*• ").strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Step:
    """One thing a municipality should have before it goes live: `name` says which (the
    page words it), `where` is the administration page and place that sets it."""

    name: str
    done: bool
    where: str


def before_going_live(municipality: Municipality) -> list[Step]:
    """What the legal pages and the face still lack: a contact (DDG § 5 asks for a quick
    way to reach the body and its address), the Impressum, the data protection officer,
    a stated and dated accessibility statement, the crest and the colour."""
    m = municipality
    legal_texts = "appearance#legal-heading"
    return [
        Step("contact_email", bool(m.contact_email), "settings#settings-contact_email"),
        Step("contact_address", bool(m.contact_address), "settings#settings-contact_address"),
        Step("impressum", bool(m.impressum_text), legal_texts),
        Step("privacy_contact", bool(m.privacy_contact_text), legal_texts),
        Step("accessibility_status", m.accessibility_status is not None, legal_texts),
        Step("accessibility_date", m.accessibility_reviewed_on is not None, legal_texts),
        Step("coat_of_arms", bool(m.coat_of_arms_key), "appearance#crest-heading"),
        Step("primary_color", bool(m.primary_color), "appearance#look-heading"),
    ]


def _email(value: str) -> str:
    email = value.strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if len(email) > EMAIL_MAX or not at or not local or "." not in domain or " " in email:
        raise Invalid(Message("Enter an email address such as name@example.org, or none."))
    return email


async def report_barrier(
    actor: Actor | None,
    slug: str,
    description: str,
    name: str = "",
    email: str = "",
    page: str = "",
) -> BarrierReport:
    """Tell the municipality's administrators of a barrier met on its pages. Anyone may,
    signed in or not; name and email are optional (an answer needs the email).

    Raises NotFound and InvalidInput naming each bad field (`description` required, at most
    5,000 characters; `name` at most 120; `email` an address or empty). Records
    `municipalities:barrier:reported`, which notifies the administrators.
    """
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    problems: list[FieldError] = []
    text = (description or "").strip()
    if not text:
        problems.append(FieldError("description", Message("Describe the barrier.")))
    elif len(text) > TEXT_MAX or "\x00" in text:
        problems.append(
            FieldError("description", Message("At most %(max)s characters.", max=TEXT_MAX))
        )
    who = " ".join((name or "").split())
    if len(who) > NAME_MAX:
        problems.append(FieldError("name", Message("At most %(max)s characters.", max=NAME_MAX)))
    try:
        address = _email(email or "")
    except Invalid as exc:
        problems.append(FieldError("email", exc.message))
        address = ""
    if problems:
        detail = (
            problems[0].message if len(problems) == 1 else Message("The report has invalid fields.")
        )
        raise InvalidInput(detail, problems)
    async with unit.atomic() as u:
        report = await BarrierReport.create(
            municipality_id=municipality.id,
            name=who,
            email=address,
            description=text,
            page=(page or "")[:PAGE_MAX],
            reporter_id=actor.user_id if actor is not None else None,
            using_db=u.conn,
        )
        await u.record(
            "municipalities:barrier:reported",
            "barrier_report",
            report.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            barrier_report_id=report.id,
        )
    return report
