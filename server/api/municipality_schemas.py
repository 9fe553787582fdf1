"""The settings administrators change with PATCH /municipalities/{slug}.

Types only: the domain (participation/municipalities/settings.py) checks every field's
rule and names every bad one at once; the ranges are stated here for the document.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from participation.municipalities import face, legal, settings
from participation.municipalities.calendar import MAX_PROMISE_DAYS, STATES
from server.api.schemas import Strict, Text

# Local holidays lie between settings.FIRST_YEAR and LAST_YEAR (2000 and 2100).
ISO_DATE: dict[str, Any] = {
    "format": "date",
    "pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
}


class HolidayIn(Strict):
    date: Text = Field(max_length=10, json_schema_extra=ISO_DATE)
    name: Text = Field(default="", max_length=settings.HOLIDAY_NAME_MAX)


class MunicipalitySettingsIn(Strict):
    """Fields left out stay as they are; `state` and `population` may be null."""

    default_quorum: int | None = Field(
        default=None, json_schema_extra={"minimum": 1, "maximum": settings.QUORUM_MAX}
    )
    service_promise_days: int | None = Field(
        default=None,
        description="Working days to a first official answer",
        json_schema_extra={"minimum": 1, "maximum": MAX_PROMISE_DAYS},
    )
    state: Text | None = Field(
        default=None,
        description="Bundesland code as the holidays package names it; null: nationwide "
        "holidays only",
        json_schema_extra={"enum": [*sorted(STATES), None]},
    )
    local_holidays: (
        list[Annotated[Text, Field(max_length=10, json_schema_extra=ISO_DATE)] | HolidayIn] | None
    ) = Field(
        default=None,
        description="ISO dates (or {date, name}); replaces the municipality's local holidays",
        max_length=settings.HOLIDAYS_MAX,
    )
    population: int | None = Field(
        default=None,
        description="Residents, for costs per resident",
        json_schema_extra={"minimum": 0, "maximum": settings.POPULATION_MAX},
    )
    time_zone: Text | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone the due dates are reckoned in, such as Europe/Berlin",
    )

    flag_threshold: int | None = Field(
        default=None,
        description="Open flags that hide a comment pending review",
        json_schema_extra={"minimum": 1, "maximum": settings.FLAG_THRESHOLD_MAX},
    )
    new_account_hours: int | None = Field(
        default=None,
        description="Hours an account counts as new (at most 2 links per comment)",
        json_schema_extra={"minimum": 0, "maximum": settings.NEW_ACCOUNT_HOURS_MAX},
    )

    # Its face and legal pages (participation/municipalities/face.py, legal.py).
    primary_color: Text | None = Field(
        default=None,
        max_length=7,
        description="#rrggbb; white text on it must reach WCAG AA contrast (4.5:1); null: "
        "the platform's colour",
        json_schema_extra={"pattern": r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$"},
    )
    welcome_text: Text | None = Field(
        default=None, max_length=face.WELCOME_MAX, description="Markdown on the start page"
    )
    impressum_text: Text | None = Field(default=None, max_length=legal.TEXT_MAX)
    privacy_contact_text: Text | None = Field(default=None, max_length=legal.TEXT_MAX)
    accessibility_status: Text | None = Field(
        default=None,
        description="Conformity with BITV 2.0: full, partial or none",
        json_schema_extra={"enum": [*(c.value for c in legal.Conformity), None]},
    )
    accessibility_barriers: Text | None = Field(
        default=None, max_length=legal.TEXT_MAX, description="Known barriers, one a line"
    )
    accessibility_reviewed_on: Text | None = Field(
        default=None, max_length=10, json_schema_extra=ISO_DATE
    )
    enforcement_body_text: Text | None = Field(default=None, max_length=legal.TEXT_MAX)

    def face_changes(self) -> dict[str, object]:
        """What was sent of the face and legal fields, for face.update_face."""
        return {n: getattr(self, n) for n in self.model_fields_set if n in face.FIELDS}

    def changes(self) -> dict[str, object]:
        """What was sent, as the domain takes it."""
        sent: dict[str, object] = {}
        for name in self.model_fields_set - set(face.FIELDS):
            value = getattr(self, name)
            if name == "local_holidays" and value is not None:
                value = [
                    {"date": v.date, "name": v.name} if isinstance(v, HolidayIn) else v
                    for v in value
                ]
            sent[name] = value
        return sent
