"""People, their roles per municipality, and single-use sign-in links."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.municipalities.models import Municipality


class Role(StrEnum):
    CITIZEN = "citizen"
    COUNCIL = "council"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=80)
    email_verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    memberships: fields.ReverseRelation[Membership]

    class Meta:
        table = "account_user"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="memberships", on_delete=fields.CASCADE
    )
    municipality_id: int
    role = fields.CharEnumField(Role, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_membership"
        unique_together = (("user", "municipality", "role"),)


class SignInToken(Model):
    """Only the SHA-256 of the emailed token is stored: a database leak yields no valid links."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="sign_in_tokens", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    next_path = fields.CharField(max_length=300, default="/")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_sign_in_token"
