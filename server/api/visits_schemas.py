"""Request and response models of service visits, the catalogue, the invitation rules and
the funnel."""

from __future__ import annotations

from pydantic import BaseModel, Field

from notifications.visits import commands, rules
from notifications.visits.models import Outcome
from participation.metrics import periods
from server.api.schemas import NOT_BLANK, Line, Strict, Text


class ServiceVisitIn(Strict):
    visit: Text = Field(
        min_length=1,
        max_length=commands.VISIT_MAX,
        description=(
            "compact JWT signed by a registered portal key (EdDSA or ES256) named by the "
            f"header's kid; claims iss (the municipality's slug), aud {commands.AUDIENCE!r}, "
            "jti (the portal's visit id), iat, exp (at most 10 minutes later), email or "
            "account_ref, service_type (a code of the catalogue), district? (slug), "
            "occurred_at, requested_at?, completed_at? (ISO 8601 with zone, or seconds "
            "since 1970)"
        ),
    )


class ServiceVisitOut(BaseModel):
    outcome: Outcome


class ServiceTypeItem(Strict):
    code: str = Field(
        min_length=1,
        max_length=rules.CODE_MAX,
        pattern=rules.CODE.pattern,
        description="such as residence.registration",
    )
    name_de: Line = Field(min_length=1, max_length=rules.NAME_MAX, json_schema_extra=NOT_BLANK)
    name_en: Line = Field(min_length=1, max_length=rules.NAME_MAX, json_schema_extra=NOT_BLANK)


class ServiceCatalogueDoc(Strict):
    services: list[ServiceTypeItem] = Field(
        max_length=200, description="the whole catalogue; services left out are retired"
    )


class InvitationRuleItem(Strict):
    service_type: str = Field(
        min_length=1,
        max_length=rules.CODE_MAX,
        pattern=rules.CODE.pattern,
        description="a code of the catalogue",
    )
    topics: list[Line] = Field(
        default_factory=list,
        max_length=rules.TOPICS_MAX,
        description="mandates with any of these topics (and votes on them) are relevant",
    )
    own_district: bool = Field(
        default=False, description="the open consultations of the visit's district are relevant"
    )


class InvitationRulesDoc(Strict):
    cap_days: int = Field(
        default=rules.DEFAULT_CAP_DAYS,
        ge=1,
        le=rules.CAP_DAYS_MAX,
        description="at most one invitation per person in this many days",
    )
    rules: list[InvitationRuleItem] = Field(max_length=200)


class FunnelQuery(BaseModel):
    period: str = Field(
        default=periods.LAST_12_MONTHS,
        max_length=16,
        description="2026-11, 2026-Q4, 2026 or last-12-months",
    )


class SatisfactionOut(BaseModel):
    n: int
    mean: float | None
    distribution: dict[str, int] = Field(description="score 1 to 5 → how many gave it")


class DurationOut(BaseModel):
    n: int = Field(description="visits with requested_at and completed_at")
    median_minutes: float | None
    p90_minutes: float | None


class FunnelStepsOut(BaseModel):
    visits: int
    invitations: int
    opened: int = Field(description="invitations whose link was followed")
    took_part: int = Field(description="invited who signed, voted or commented within 14 days")


class ServiceMonthOut(FunnelStepsOut):
    service_type: str
    name_de: str
    name_en: str
    month: str = Field(description="YYYY-MM in the municipality's time zone")
    outcomes: dict[str, int]
    satisfaction: SatisfactionOut
    duration: DurationOut


class FunnelOut(BaseModel):
    municipality: str
    period: str
    start: str = Field(description="inclusive, ISO 8601")
    end: str = Field(description="exclusive, ISO 8601")
    total: FunnelStepsOut
    services: list[ServiceMonthOut]
