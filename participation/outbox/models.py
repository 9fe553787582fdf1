"""The outbox: the single record of "something happened", written with the change itself,
and each consumer's progress through it."""

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

    class Meta:
        table = "outbox_event"
        ordering = ["id"]
        indexes = (("subject_type", "subject_id"),)


class OutboxConsumer(Model):
    """How far a consumer got: every event with an id up to `watermark` is delivered to it."""

    name = fields.CharField(max_length=64, primary_key=True)
    watermark = fields.BigIntField(default=0)

    class Meta:
        table = "outbox_consumer"


class OutboxDelivery(Model):
    """One consumer's claim on one event above its watermark, until the watermark passes it."""

    id = fields.BigIntField(primary_key=True)
    consumer = fields.CharField(max_length=64)
    event_id = fields.BigIntField()
    delivered_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    retry_at = fields.DatetimeField(null=True)
    error = fields.TextField(null=True)

    class Meta:
        table = "outbox_delivery"
        unique_together = (("consumer", "event_id"),)
