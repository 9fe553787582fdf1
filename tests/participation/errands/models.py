"""The throw-away area's one table."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ErrandStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Errand(Model):
    id = fields.IntField(primary_key=True)
    municipality_id = fields.IntField()
    title = fields.CharField(max_length=80)
    status = fields.CharEnumField(ErrandStatus, max_length=8, default=ErrandStatus.OPEN)

    class Meta:
        app = "auftrag"
        table = "test_errand"
