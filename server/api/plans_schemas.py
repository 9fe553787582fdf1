"""Request and response models of the action plan API; they validate input and document it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from participation.ids import INT_MAX
from participation.plans import rules
from participation.plans.models import MeasureStatus
from server.api.schemas import Line, ListQuery, Strict, Text


class MeasureIn(Strict):
    title: Line = Field(min_length=1, max_length=rules.TITLE_MAX)
    description: Text = Field(default="", max_length=rules.DESCRIPTION_MAX, description="Markdown")
    department_id: int | None = Field(
        default=None, ge=1, le=INT_MAX, description="A department of the mandate's municipality"
    )
    planned_start: dt.date
    planned_end: dt.date = Field(description="Not before planned_start")
    weight: int | None = Field(
        default=None,
        ge=1,
        le=rules.WEIGHT_MAX,
        description="Weighs the measure in the mandate's progress; without a weight on every "
        "measure, published costs weigh, else all count alike",
    )
    cost_analysis_id: int | None = Field(
        default=None,
        ge=1,
        le=INT_MAX,
        description="A cost analysis of the same mandate, not yet linked to a measure",
    )


class MeasurePatch(Strict):
    """planned → in_progress → done; planned or in_progress → dropped (with a reason)."""

    status: MeasureStatus | None = Field(
        default=None, description="done sets progress 100; dropped needs a reason"
    )
    progress: int | None = Field(
        default=None, ge=0, le=100, description="Percent done, while in progress"
    )
    reason: Text | None = Field(
        default=None,
        max_length=rules.REASON_MAX,
        description="Public reason, when dropping the measure",
    )


class MilestoneIn(Strict):
    title: Line = Field(min_length=1, max_length=rules.TITLE_MAX)
    date: dt.date = Field(
        description="Not before the measure's planned start; a date that has come (in the "
        "municipality's time zone) puts the milestone on the timeline at once"
    )
    description: Text = Field(default="", max_length=rules.DESCRIPTION_MAX, description="Markdown")


class MeasureDepartmentRef(BaseModel):
    id: int
    name: str


class MeasureCostOut(BaseModel):
    """The latest published revisions of the cost analyses linked to the measure."""

    one_off_cents: int
    per_year_cents: int
    total_cents: int = Field(description="One-off plus one year: what the measure weighs with")
    currency: str = Field(description="Always EUR")
    cost_analysis_ids: list[int]


class MilestoneOut(BaseModel):
    id: int
    title: str
    date: dt.date
    description: str
    description_html: str
    reached_at: dt.datetime | None = Field(description="When it went on the timeline")


class MeasureOut(BaseModel):
    id: int
    mandate_id: int
    thread_id: int | None = Field(description="Its discussion: GET /threads/{thread_id}")
    title: str
    description: str
    description_html: str
    department: MeasureDepartmentRef | None
    planned_start: dt.date
    planned_end: dt.date
    weight: int | None
    status: MeasureStatus
    progress: int = Field(ge=0, le=100)
    reason: str | None = Field(description="Why it was dropped")
    cost: MeasureCostOut | None = Field(description="null unless a linked analysis is published")
    allowed_transitions: list[MeasureStatus]
    milestones: list[MilestoneOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class MeasureList(BaseModel):
    items: list[MeasureOut]
    next: str | None


class MeasureQuery(ListQuery):
    limit: int = Field(default=100, ge=1, le=100)
