"""The outbox: the single record of "something happened", written with the change itself."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.BigIntField()
    municipality_id = fields.IntField(null=True)
    actor_id = fields.IntField(null=True)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    dispatched_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox_event"
        ordering = ["id"]
        indexes = (("subject_type", "subject_id"),)
