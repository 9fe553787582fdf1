"""The council's official answers to a mandate, each signed as it was given."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.mandates.models import Mandate
    from participation.municipalities.models import Department


class ResponseKind(StrEnum):
    FIRST_ANSWER = "first_answer"
    UPDATE = "update"
    DECISION = "decision"


class OfficialResponse(Model):
    """An official answer. Role and department name are kept as they were when it was
    signed, so a later rename or a revoked role does not rewrite what was said."""

    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="official_responses", on_delete=fields.CASCADE
    )
    mandate_id: int
    kind = fields.CharEnumField(ResponseKind, max_length=16)
    body = fields.TextField()
    body_html = fields.TextField()
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="official_responses", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    role = fields.CharField(max_length=16)
    department_name = fields.CharField(max_length=120, null=True)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "auftrag.Department",
        related_name="official_responses",
        null=True,
        on_delete=fields.SET_NULL,
    )
    department_id: int | None
    # The Drucksache or Vorlage number and its page in the council information system.
    council_paper_reference = fields.CharField(max_length=64, null=True)
    council_paper_url = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "official_response"
        ordering = ["id"]
