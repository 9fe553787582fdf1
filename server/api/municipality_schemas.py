"""The settings administrators change with PATCH /municipalities/{slug}.

Types only: the domain (participation/municipalities/settings.py) checks every field's
rule and names every bad one at once; the ranges are stated here for the document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from participation.municipalities import districts, face, founding, legal, settings
from participation.municipalities.calendar import MAX_PROMISE_DAYS, STATES
from participation.municipalities.licences import LICENCES
from server.api.schemas import Strict, Text

SLUG_SCHEMA: dict[str, Any] = {
    "pattern": founding.SLUG.pattern,
    "minLength": founding.SLUG_MIN,
    "not": {"enum": sorted(founding.RESERVED)},
}
STATE_ENUM: dict[str, Any] = {"enum": sorted(STATES)}

# Local holidays lie between settings.FIRST_YEAR and LAST_YEAR (2000 and 2100).
ISO_DATE: dict[str, Any] = {
    "format": "date",
    "pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$",
}


class HolidayIn(Strict):
    date: Text = Field(max_length=10, json_schema_extra=ISO_DATE)
    name: Text = Field(default="", max_length=settings.HOLIDAY_NAME_MAX)


class ContactFields(Strict):
    contact_email: Text | None = Field(
        default=None, max_length=254, description="Email of the administration; empty: none"
    )
    contact_phone: Text | None = Field(default=None, max_length=settings.PHONE_MAX)
    contact_address: Text | None = Field(
        default=None,
        max_length=settings.ADDRESS_MAX,
        description="Postal address, lines separated by newlines",
    )


class MunicipalityIn(ContactFields):
    """A new municipality (operators only)."""

    slug: Text = Field(
        max_length=64,
        description="Its address, /m/<slug>: 2-64 lowercase letters, digits and hyphens, "
        "not a word the site uses itself; never changes",
        json_schema_extra=SLUG_SCHEMA,
    )
    name: Text = Field(max_length=settings.NAME_MAX)
    state: Text = Field(
        description="Bundesland code as the holidays package names it",
        json_schema_extra=STATE_ENUM,
    )
    official_key: Text = Field(
        description="Amtlicher Gemeindeschlüssel: eight digits, the first two the state's "
        "(01 SH … 16 TH)",
        json_schema_extra={"pattern": "^[0-9]{8}$"},
    )
    time_zone: Text | None = Field(default=None, max_length=64)
    population: int | None = Field(
        default=None, json_schema_extra={"minimum": 0, "maximum": settings.POPULATION_MAX}
    )
    admin_email: Text | None = Field(
        default=None,
        max_length=254,
        description="Its first administrator; a role waiting on the address if it has no "
        "account yet",
    )

    def extra(self) -> dict[str, object]:
        return {
            name: getattr(self, name)
            for name in founding.OPTIONAL
            if name in self.model_fields_set and getattr(self, name) is not None
        }


class DistrictRenameIn(Strict):
    slug: Text = Field(max_length=64)
    name: Text = Field(max_length=districts.NAME_MAX)


class MunicipalitySettingsIn(ContactFields):
    """Fields left out stay as they are; `state` and `population` may be null."""

    name: Text | None = Field(default=None, max_length=settings.NAME_MAX)
    signature_period_days: int | None = Field(
        default=None,
        description="Days a published mandate collects co-signatures",
        json_schema_extra={"minimum": settings.PERIOD_MIN, "maximum": settings.PERIOD_MAX},
    )
    add_districts: list[Annotated[Text, Field(max_length=districts.NAME_MAX)]] | None = Field(
        default=None,
        max_length=districts.CHANGES_MAX,
        description="Names of new districts; each gets a slug made from its name",
    )
    rename_districts: list[DistrictRenameIn] | None = Field(
        default=None, max_length=districts.CHANGES_MAX, description="New names; slugs stay"
    )
    retire_districts: list[Annotated[Text, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=districts.CHANGES_MAX,
        description="Slugs of districts to retire: they keep their history, take nothing new",
    )
    reinstate_districts: list[Annotated[Text, Field(max_length=64)]] | None = Field(
        default=None, max_length=districts.CHANGES_MAX, description="Slugs of retired districts"
    )
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
    open_data_licence: Text | None = Field(
        default=None,
        description="The licence of its open data: dl-de/by-2-0 (the default) or cc-by/4.0",
        json_schema_extra={"enum": [*sorted(LICENCES)]},
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
            if name == "rename_districts" and value is not None:
                value = [{"slug": v.slug, "name": v.name} for v in value]
            sent[name] = value
        return sent


INVITABLE_ROLE = Literal["council", "moderator", "admin"]


class InvitationIn(Strict):
    email: Text = Field(min_length=1, max_length=254)
    role: INVITABLE_ROLE


class InvitationOut(BaseModel):
    id: int | None = Field(description="null when the role was granted at once")
    email: str
    role: INVITABLE_ROLE
    invited_by: str | None
    created_at: datetime
    pending: bool = Field(
        description="true: waits on the address until its first sign-in; false: the "
        "address had an account and has the role now"
    )


class InvitationList(BaseModel):
    items: list[InvitationOut]
