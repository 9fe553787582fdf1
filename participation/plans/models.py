"""A mandate's action plan: the measures the council commits to, each with its progress."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.mandates.models import Mandate
    from participation.municipalities.models import Department


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Measure(Model):
    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="measures", on_delete=fields.CASCADE
    )
    mandate_id: int
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    description_html = fields.TextField(default="")
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "auftrag.Department", related_name="measures", null=True, on_delete=fields.SET_NULL
    )
    department_id: int | None
    planned_start = fields.DateField()
    planned_end = fields.DateField()
    weight = fields.IntField(null=True)
    status = fields.CharEnumField(MeasureStatus, max_length=16, default=MeasureStatus.PLANNED)
    progress = fields.SmallIntField(default=0)
    # The public reason a measure was dropped.
    reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    milestones: fields.ReverseRelation[MeasureMilestone]

    class Meta:
        table = "measure"
        ordering = ["planned_start", "id"]


class MeasureMilestone(Model):
    """A dated step of a measure, put on the public timeline once its day has come."""

    id = fields.IntField(primary_key=True)
    measure: fields.ForeignKeyRelation[Measure] = fields.ForeignKeyField(
        "auftrag.Measure", related_name="milestones", on_delete=fields.CASCADE
    )
    measure_id: int
    title = fields.CharField(max_length=200)
    date = fields.DateField(db_index=True)
    description = fields.TextField(default="")
    description_html = fields.TextField(default="")
    # When the milestone went on the timeline: set once, by a conditional update.
    reached_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "measure_milestone"
        ordering = ["date", "id"]
