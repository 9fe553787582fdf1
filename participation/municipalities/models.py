"""Municipalities are the tenants; districts subdivide them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from participation.accounts.models import Level


class Municipality(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    default_quorum = fields.IntField(default=100)
    signature_period_days = fields.IntField(default=90)
    service_promise_days = fields.IntField(default=5)
    launch_level = fields.CharEnumField(Level, max_length=24, default=Level.EMAIL)
    sign_level = fields.CharEnumField(Level, max_length=24, default=Level.EMAIL)
    vote_level = fields.CharEnumField(Level, max_length=24, default=Level.EMAIL)
    created_at = fields.DatetimeField(auto_now_add=True)

    districts: fields.ReverseRelation[District]

    class Meta:
        table = "municipality"
        ordering = ["name"]


class District(Model):
    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="districts", on_delete=fields.CASCADE
    )
    municipality_id: int
    slug = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "district"
        unique_together = (("municipality", "slug"),)
        ordering = ["name"]
