"""The public timeline of a mandate: status changes, milestones, later answers and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.mandates.models import Mandate


class TimelineEntry(Model):
    id = fields.BigIntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="timeline", on_delete=fields.CASCADE
    )
    mandate_id: int
    kind = fields.CharField(max_length=32)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="timeline_entries", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    # The mandate's municipality, copied (a mandate never moves): the municipality's feed
    # reads its newest entries from one index instead of every mandate's.
    municipality_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "timeline_entry"
        ordering = ["id"]
        indexes = (("mandate_id", "id"), ("municipality_id", "id"))
