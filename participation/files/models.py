"""Files attached to a mandate or to one of its answers, cost analyses or measures."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.mandates.models import Mandate


class Subject(StrEnum):
    MANDATE = "mandate"
    RESPONSE = "response"
    COST_ANALYSIS = "cost_analysis"
    MEASURE = "measure"


class Attachment(Model):
    """One attached file: its name and type as checked, and the key of its bytes (sha256).

    Many attachments may share one stored file, since the store is content-addressed.
    """

    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="attachments", on_delete=fields.CASCADE
    )
    mandate_id: int
    subject_type = fields.CharEnumField(Subject, max_length=16, default=Subject.MANDATE)
    # The answer, cost analysis or measure, None for the mandate itself.
    subject_id = fields.IntField(null=True)
    filename = fields.CharField(max_length=120)
    content_type = fields.CharField(max_length=120)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64, db_index=True)
    uploader: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    uploader_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"
        ordering = ["id"]
        indexes = (("mandate_id", "subject_type", "subject_id"),)
