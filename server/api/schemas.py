"""Request and response models of the JSON API; they validate input and document the API."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from participation import single_line
from participation.mandates import lifecycle, rules
from participation.mandates.models import Status
from participation.mandates.queries import Sort
from participation.permissions import Level, Role

# Every string that reaches the database: PostgreSQL refuses NUL characters in text.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]

# What the server refuses as blank after trimming, declared so the document says so too.
NOT_BLANK: dict[str, Any] = {"not": {"pattern": r"^\s*$"}}


def _one_line(value: str) -> str:
    if single_line.problem(value):
        raise ValueError("must be one line, without control or text direction characters")
    return value


# Titles, summaries and names: the domain's single-line rule, declared as a pattern so the
# OpenAPI document states it, and checked by a validator so the problem reads plainly.
Line = Annotated[
    str, AfterValidator(_one_line), Field(json_schema_extra={"pattern": single_line.PATTERN})
]


class Strict(BaseModel):
    """Request bodies: unknown fields are mistakes worth naming, not silently dropped, and
    a JSON value of the wrong type is refused rather than converted (`false` is not 0)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class MandateIn(Strict):
    title: Line = Field(min_length=1, max_length=rules.TITLE_MAX)
    summary: Line = Field(min_length=1, max_length=rules.SUMMARY_MAX)
    body: Text = Field(default="", max_length=rules.BODY_MAX, description="Markdown")
    district: Text | None = Field(default=None, max_length=64, description="District slug")
    topics: list[Annotated[Line, Field(max_length=rules.TOPIC_MAX)]] = Field(
        default_factory=list, max_length=rules.TOPICS_MAX
    )


def needs_reason(targets: frozenset[str]) -> ConfigDict:
    """Moves to these statuses need a reason: said in the schema with if/then."""
    conditional: dict[str, Any] = {
        "if": {"required": ["to"], "properties": {"to": {"enum": sorted(targets)}}},
        "then": {
            "required": ["reason"],
            "properties": {"reason": {"type": "string", "minLength": 1, **NOT_BLANK}},
        },
    }
    return ConfigDict(json_schema_extra=conditional)


def check_reason(reason: str | None, to: str | None, targets: frozenset[str]) -> str | None:
    if to in targets and not (reason or "").strip():
        raise ValueError(f"a move to {to} needs a reason")
    return reason


_REASONED = frozenset(t.target.value for t in lifecycle.TRANSITIONS if t.needs_reason)


class TransitionIn(Strict):
    model_config = needs_reason(_REASONED)

    to: Status
    reason: Text | None = Field(
        default=None, max_length=lifecycle.REASON_MAX, validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, reason: str | None, info: ValidationInfo) -> str | None:
        return check_reason(reason, info.data.get("to"), _REASONED)


# Cursors are the `next` value of a list: a position, in digits.
CURSOR = r"^[0-9]{1,9}$"


class ListQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, pattern=CURSOR, description="`next` of a list")


class MandateQuery(ListQuery):
    status: Status | None = None
    district: Text | None = Field(default=None, max_length=64)
    topic: Text | None = Field(default=None, max_length=rules.TOPIC_MAX)
    q: Text | None = Field(default=None, max_length=200, description="Search title and summary")
    sort: Sort = Field(
        default=Sort.NEWEST,
        description="`newest` first, most `signatures`, `closing` soon (collecting ones by "
        "their last day), or `collecting` ones first; a `next` cursor holds for its order only",
    )


class TimelineQuery(ListQuery):
    limit: int = Field(default=100, ge=1, le=100)
    cursor: str | None = Field(
        default=None, pattern=r"^[0-9]{1,18}$", description="`next` of a list"
    )


class StreamQuery(BaseModel):
    last_event_id: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,18}$",
        description="Resume after this timeline entry, for clients that cannot send the "
        "Last-Event-ID header",
    )


class DistrictOut(BaseModel):
    slug: str
    name: str


class MunicipalityDistrictOut(DistrictOut):
    retired: bool = Field(
        description="A retired district keeps its mandates and history; nothing new starts in it"
    )


class LevelsView(BaseModel):
    launch_level: Level
    sign_level: Level
    vote_level: Level


class LocalHolidayOut(BaseModel):
    date: date_type
    name: str


class MunicipalityOut(BaseModel):
    slug: str
    name: str
    default_quorum: int
    signature_period_days: int
    service_promise_days: int = Field(description="Working days to a first official answer")
    state: str | None = Field(
        description="Bundesland code as the holidays package names it (BW, BY, …, NW); "
        "null: the nationwide holidays only"
    )
    local_holidays: list[LocalHolidayOut]
    population: int | None
    time_zone: str
    districts: list[MunicipalityDistrictOut]
    verification_levels: LevelsView
    official_key: str | None = Field(
        description="Amtlicher Gemeindeschlüssel, eight digits; null for municipalities "
        "founded before it was asked"
    )
    contact_email: str = Field(description="How to reach the administration; may be empty")
    contact_phone: str
    contact_address: str = Field(description="Postal address, lines separated by newlines")
    open_data_licence: str = Field(
        default="dl-de/by-2-0", description="The licence of its open data (/m/{slug}/open-data)"
    )
    primary_color: str | None = Field(
        default=None, description="#rrggbb, or null for the platform's colour"
    )
    welcome_text: str | None = None
    coat_of_arms_url: str | None = Field(
        default=None, description="The crest, at an address that changes with it"
    )


class MunicipalityList(BaseModel):
    items: list[MunicipalityOut]
    next: str | None


class ParticipationOut(BaseModel):
    """Who may take part: the level, and whether living there is declared or proven."""

    level: Level = Field(description="The verification level the action asks for")
    residence: Literal["declared", "verified"] = Field(
        description="declared: people who declared they live there (email level); "
        "verified: people whose residence was proven (resident level)"
    )
    municipality: str = Field(description="Slug of the municipality one must live in")
    district: str | None = Field(
        description="Slug of the district one must live in; null for the whole municipality"
    )


class PersonOut(BaseModel):
    display_name: str


class ServicePromiseOut(BaseModel):
    """The council's promise of a first official answer within the municipality's working
    days; light and overdue are derived when read."""

    due_at: datetime | None = Field(
        description="End of the last promised working day (23:59:59 in the municipality's zone)"
    )
    light: Literal["red", "yellow", "green"] = Field(
        description="red: submitted, not started; yellow: in review, accepted or in "
        "progress; green: completed or rejected"
    )
    overdue: bool = Field(description="No first answer yet and the due time has passed")
    first_answer_at: datetime | None = Field(description="Set once by the first answer")
    kept: bool | None = Field(
        description="Whether the first answer came by the due time; set once, never changed"
    )


class AssignedDepartmentOut(BaseModel):
    id: int
    name: str


class ResponsibleOut(BaseModel):
    display_name: str
    role: Role = Field(description="council or admin")


class RatingSummaryOut(BaseModel):
    """Co-signers' ratings of a finished mandate's outcome."""

    average: float | None = Field(description="Mean score to one decimal; null with no ratings")
    count: int
    distribution: dict[Literal["1", "2", "3", "4", "5"], int] = Field(
        description="How many ratings gave each score"
    )


class MandateOut(BaseModel):
    id: int
    municipality: str
    thread_id: int | None = Field(description="Its discussion: GET /threads/{thread_id}")
    title: str
    summary: str
    body: str
    body_html: str
    status: Status
    signature_count: int = Field(
        description="all signatures: people who declared or proved they live in the municipality"
    )
    resident_signature_count: int = Field(
        description="of these, signatures by people verified as residents of the municipality"
    )
    quorum: int
    initiator: PersonOut | None
    district: DistrictOut | None
    topics: list[str]
    created_at: datetime
    published_at: datetime | None
    closes_at: datetime | None
    submitted_at: datetime | None
    answer_due_at: datetime | None
    closed_at: datetime | None
    service_promise: ServicePromiseOut | None = Field(
        description="null for mandates that never reached the council"
    )
    progress: int | None = Field(
        ge=0,
        le=100,
        description="Percent done, derived from the action plan's measures (weighted by "
        "their weights, else by their costs, else averaged; dropped ones do not count); "
        "null without measures",
    )
    allowed_transitions: list[Status] = Field(
        description="Moves the caller may make now (empty when anonymous)"
    )
    signed: bool | None = Field(description="Whether the caller has signed; null when anonymous")
    participation: ParticipationOut = Field(description="Who may co-sign")
    department: AssignedDepartmentOut | None = Field(
        description="The department the mandate is assigned to; null until assigned"
    )
    responsible: ResponsibleOut | None = Field(
        description="The council member responsible, by name and role; null if none"
    )
    rating: RatingSummaryOut = Field(description="Ratings of the outcome, once finished")


class MandateList(BaseModel):
    items: list[MandateOut]
    next: str | None


class SignatureOut(BaseModel):
    mandate_id: int
    signed: bool
    signature_count: int
    status: Status


class TimelineEntryOut(BaseModel):
    id: int = Field(description="Increasing; the stream's event id, and the page's `#entry-{id}`")
    kind: str = Field(
        description="What happened: launched, status, milestone, vote (one of its votes "
        "moved), and each area's own (an official answer, an assignment, a cost analysis, a "
        "measure, a milestone reached, a rating summary); `data` depends on it"
    )
    data: dict = Field(
        description="What the entry shows, by kind. Text written in Markdown comes rendered "
        "as safe HTML under a key ending in `_html`; who acted for the council under `role` "
        "and `department` (names, never an email); what it links to as ids (`vote_id`, …) "
        "or URLs (`council_paper_url`, …); a status move as `from`, `to` and `reason`"
    )
    actor: PersonOut | None = Field(
        description="Who acted, by display name; null for the platform (quorum, milestones) "
        "or a deleted account"
    )
    created_at: datetime


class CountOut(BaseModel):
    signature_count: int
    resident_signature_count: int


class TimelineList(BaseModel):
    items: list[TimelineEntryOut]
    next: str | None


class MembershipOut(BaseModel):
    municipality: str
    role: Role


class ResidenceOut(BaseModel):
    municipality: str
    district: str | None


class VerificationOut(BaseModel):
    email_verified: bool
    resident_verified: list[ResidenceOut] = Field(
        description="the municipalities (and districts) this person is verified to live in"
    )


class ResidenceIn(Strict):
    municipality: Text = Field(min_length=1, max_length=64, description="Municipality slug")
    district: Text | None = Field(
        default=None, min_length=1, max_length=64, description="District slug, or null"
    )


class DeclaredResidenceOut(BaseModel):
    municipality: str = Field(description="Slug of the municipality she says she lives in")
    municipality_name: str
    district: str | None = Field(description="District slug; null when none was declared")
    district_name: str | None
    source: Literal["declared", "admin", "portal"] = Field(
        description="declared by herself, or moved by a proof (administrator or service portal)"
    )
    declared_at: datetime


class ResidenceMoveOut(BaseModel):
    from_municipality: str | None = Field(description="null for the first declaration")
    from_district: str | None
    to_municipality: str | None = Field(description="null if that municipality was deleted")
    to_district: str | None
    source: Literal["declared", "admin", "portal"]
    at: datetime


class ResidenceStateOut(BaseModel):
    residence: DeclaredResidenceOut | None = Field(
        description="Where she says she lives now; null until she declares it"
    )
    history: list[ResidenceMoveOut] = Field(
        description="Every declaration and change, oldest first"
    )


class MeOut(BaseModel):
    id: int
    email: str
    display_name: str
    account_ref: str | None = Field(
        description="pseudonymous reference a service portal may send instead of the email"
    )
    roles: list[MembershipOut]
    verification: VerificationOut
    residence: DeclaredResidenceOut | None = Field(
        description="Where she says she lives; null until she declares it"
    )
    operator: bool = Field(
        description="Whether she operates the deployment (founds municipalities); granted only "
        "on the command line"
    )


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str
    version: str
