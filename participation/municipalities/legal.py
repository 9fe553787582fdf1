"""The legal pages a German public body must publish: its Impressum (DDG § 5), whom to ask
about data protection, and its accessibility statement as BITV 2.0 § 7 structures it
(status of conformity, known barriers, when it was made, a way to report barriers, the
enforcement body). The administrators write the texts; a barrier report reaches them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from participation import unit
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


def barriers(municipality: Municipality) -> list[str]:
    """The known barriers, one a line as the administrators wrote them."""
    text = municipality.accessibility_barriers or ""
    return [line.strip().lstrip("-*• ").strip() for line in text.splitlines() if line.strip()]


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
