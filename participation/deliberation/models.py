"""Discussions: one thread per discussable subject, its comments, their versions and
endorsements."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.municipalities.models import Municipality


class SubjectType(StrEnum):
    """What can be discussed."""

    MANDATE = "mandate"
    MEASURE = "measure"
    VOTE = "vote"


class Stance(StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


# A top-level comment has depth 0; a reply to a comment at MAX_DEPTH stays at MAX_DEPTH.
MAX_DEPTH = 3


class Thread(Model):
    """The discussion of one subject, created with it."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="threads", on_delete=fields.CASCADE
    )
    municipality_id: int
    subject_type = fields.CharEnumField(SubjectType, max_length=16)
    subject_id = fields.IntField()
    # A locked thread takes no new comments; the reason is public, in the moderation log.
    locked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    comments: fields.ReverseRelation[Comment]

    class Meta:
        table = "thread"
        unique_together = (("subject_type", "subject_id"),)


class Comment(Model):
    """A contribution to a thread. Its row stays for good, so replies keep their place.

    Deletion by the author, hiding by a moderator and erasure of the account each keep
    the row and its counts, and change only what is shown.
    """

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "auftrag.Thread", related_name="comments", on_delete=fields.CASCADE
    )
    thread_id: int
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    parent_id: int | None
    # Whom a reply answers when it had to be placed under another parent (at MAX_DEPTH).
    reply_to: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="answered_by", null=True, on_delete=fields.SET_NULL
    )
    reply_to_id: int | None
    depth = fields.SmallIntField(default=0)
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="comments", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    stance = fields.CharEnumField(Stance, max_length=8, default=Stance.NEUTRAL)
    body = fields.TextField()
    body_html = fields.TextField()
    # An official statement is signed with the role and department it was given as.
    official = fields.BooleanField(default=False)
    official_role = fields.CharField(max_length=16, null=True)
    official_department = fields.CharField(max_length=120, null=True)
    endorsement_count = fields.IntField(default=0)
    # Open flags: those no moderator has decided on yet.
    flag_count = fields.IntField(default=0)
    hidden_at = fields.DatetimeField(null=True)
    # The public reason shown in the text's place.
    hidden_reason = fields.TextField(null=True)
    # Hidden by reaching the flag threshold, waiting for a moderator.
    hidden_pending_review = fields.BooleanField(default=False)
    # The author may ask once for a hidden comment to be reviewed.
    review_requested_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "comment"
        indexes = (
            Index(fields=["thread_id", "id"]),
            Index(fields=["thread_id", "endorsement_count", "id"]),
            Index(fields=["author_id", "id"]),
            # A page's replies are read by their parents, a level at a time.
            Index(fields=["parent_id", "id"]),
        )


class CommentRevision(Model):
    """An earlier version of a comment, kept when its author edits it."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="revisions", on_delete=fields.CASCADE
    )
    comment_id: int
    body = fields.TextField()
    body_html = fields.TextField()
    stance = fields.CharEnumField(Stance, max_length=8)
    # When this version was written: the comment's creation or its previous edit.
    written_at = fields.DatetimeField()

    class Meta:
        table = "comment_revision"
        ordering = ["id"]


class Endorsement(Model):
    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "auftrag.Comment", related_name="endorsements", on_delete=fields.CASCADE
    )
    comment_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="endorsements", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comment_endorsement"
        unique_together = (("comment", "user"),)
