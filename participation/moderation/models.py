"""Moderation: flags on comments, suspensions, and the public log of what moderators did."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.deliberation.models import Comment, Thread
    from participation.municipalities.models import Municipality


class FlagReason(StrEnum):
    SPAM = "spam"
    INSULT = "insult"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    ILLEGAL = "illegal"
    OTHER = "other"


class FlagResolution(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Flag(Model):
    """A report of a comment by one person, who may flag it only once."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="flags", on_delete=fields.CASCADE
    )
    comment_id: int
    # Kept when the flagger's account is erased: the flag still counted.
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="flags", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    reason = fields.CharEnumField(FlagReason, max_length=16)
    # Only for the reason `other`.
    text = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharEnumField(FlagResolution, max_length=16, null=True)

    class Meta:
        table = "comment_flag"
        unique_together = (("comment", "user"),)


class ModerationAction(StrEnum):
    HIDE = "hide"
    # Hidden by reaching the flag threshold, before any moderator looked.
    AUTO_HIDE = "auto_hide"
    RESTORE = "restore"
    DISMISS_FLAGS = "dismiss_flags"
    LOCK = "lock"
    UNLOCK = "unlock"
    SUSPEND = "suspend"


class ModerationEntry(Model):
    """One line of the public moderation log. It holds what was done, to which subject
    and why, and the moderator's role — never a comment's text or who wrote it."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="moderation_entries", on_delete=fields.CASCADE
    )
    municipality_id: int
    action = fields.CharEnumField(ModerationAction, max_length=16)
    comment: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="moderation_entries", null=True, on_delete=fields.SET_NULL
    )
    comment_id: int | None
    thread: fields.ForeignKeyNullableRelation[Thread] = fields.ForeignKeyField(
        "auftrag.Thread", related_name="moderation_entries", null=True, on_delete=fields.SET_NULL
    )
    thread_id: int | None
    reason = fields.TextField()
    # None for what the platform did by itself (the flag threshold).
    moderator_role = fields.CharField(max_length=16, null=True)
    # Kept for the municipality's own accountability; never shown in the public log.
    moderator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="moderation_entries", null=True, on_delete=fields.SET_NULL
    )
    moderator_id: int | None
    # For a suspension: until when it runs.
    until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "moderation_entry"
        indexes = (Index(fields=["municipality_id", "id"]),)
