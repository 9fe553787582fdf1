"""Cost analyses of a mandate or one of its measures, kept as a row of numbered revisions."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.mandates.models import Mandate
    from participation.plans.models import Measure


class CostStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CostAnalysis(Model):
    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="cost_analyses", on_delete=fields.CASCADE
    )
    mandate_id: int
    measure: fields.ForeignKeyNullableRelation[Measure] = fields.ForeignKeyField(
        "auftrag.Measure", related_name="cost_analyses", null=True, on_delete=fields.SET_NULL
    )
    measure_id: int | None
    status = fields.CharEnumField(CostStatus, max_length=16, default=CostStatus.DRAFT)
    # The latest revision, and the latest the public may see (None before publication).
    revision = fields.IntField(default=1)
    published_revision = fields.IntField(null=True)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="cost_analyses", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    revisions: fields.ReverseRelation[CostRevision]

    class Meta:
        table = "cost_analysis"
        ordering = ["id"]


class CostRevision(Model):
    """One save of a cost analysis, never changed afterwards, with its totals."""

    id = fields.IntField(primary_key=True)
    analysis: fields.ForeignKeyRelation[CostAnalysis] = fields.ForeignKeyField(
        "auftrag.CostAnalysis", related_name="revisions", on_delete=fields.CASCADE
    )
    analysis_id: int
    number = fields.IntField()
    title = fields.CharField(max_length=200)
    items: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    assumptions = fields.TextField(default="")
    assumptions_html = fields.TextField(default="")
    one_off_cents = fields.BigIntField(default=0)
    per_year_cents = fields.BigIntField(default=0)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="cost_revisions", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    # The author's role when saving (council or admin): shown publicly instead of her name.
    author_role = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "cost_revision"
        unique_together = (("analysis", "number"),)
        ordering = ["analysis_id", "number"]
