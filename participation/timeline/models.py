"""The public timeline of a mandate: status changes, milestones, later answers and reports."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TimelineEntry(Model):
    id = fields.BigIntField(primary_key=True)
    mandate = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="timeline", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    data = fields.JSONField(default=dict)
    actor = fields.ForeignKeyField(
        "auftrag.User", related_name="timeline_entries", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "timeline_entry"
        ordering = ["id"]
