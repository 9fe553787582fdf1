"""Suspensions: an account that may read and export in a municipality but not write there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.municipalities.models import Municipality


class Suspension(Model):
    """An account may read and export in a municipality but not write there, until `until`."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="suspensions", on_delete=fields.CASCADE
    )
    municipality_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="suspensions", on_delete=fields.CASCADE
    )
    user_id: int
    until = fields.DatetimeField()
    reason = fields.TextField()
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="suspensions_given", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "suspension"
        indexes = (Index(fields=["user_id", "municipality_id", "until"]),)
