"""Mandates, their co-signatures and the sharded signature counter."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.municipalities.models import Department, District, Municipality


class Status(StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Mandate(Model):
    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="mandates", on_delete=fields.RESTRICT
    )
    municipality_id: int
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District", related_name="mandates", null=True, on_delete=fields.SET_NULL
    )
    district_id: int | None
    initiator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="mandates", null=True, on_delete=fields.SET_NULL
    )
    initiator_id: int | None
    title = fields.CharField(max_length=120)
    summary = fields.CharField(max_length=500)
    body = fields.TextField()
    # Rendered once at launch: pages and the API serve it on every view.
    body_html = fields.TextField()
    status = fields.CharEnumField(Status, max_length=16, default=Status.DRAFT, db_index=True)
    quorum = fields.IntField()
    # Highest quorum milestone (percent) already announced; guards each one to fire once.
    milestone = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    published_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    answer_due_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # The service promise's facts: set once by the first official answer, never flipped;
    # the traffic light and "overdue" are derived from them when read.
    first_answer_at = fields.DatetimeField(null=True)
    promise_kept = fields.BooleanField(null=True)
    # When the clock job recorded "due tomorrow" and "overdue": each fires once.
    promise_reminded_at = fields.DatetimeField(null=True)
    promise_overdue_at = fields.DatetimeField(null=True)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "auftrag.Department", related_name="mandates", null=True, on_delete=fields.SET_NULL
    )
    department_id: int | None
    responsible: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="responsible_for", null=True, on_delete=fields.SET_NULL
    )
    responsible_id: int | None
    # Derived from the action plan's measures, written with each change to them.
    progress = fields.SmallIntField(null=True)

    topics: fields.ReverseRelation[MandateTopic]

    class Meta:
        table = "mandate"
        # The council's review queue and its overdue count (participation/council/queue.py).
        indexes = (
            ("municipality_id", "answer_due_at", "id"),
            ("municipality_id", "status", "answer_due_at", "first_answer_at"),
        )


class MandateTopic(Model):
    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="topics", on_delete=fields.CASCADE
    )
    mandate_id: int
    topic = fields.CharField(max_length=40, db_index=True)

    class Meta:
        table = "mandate_topic"
        unique_together = (("mandate", "topic"),)


class Signature(Model):
    """One row per person and mandate, guarded by the unique constraint."""

    id = fields.BigIntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="signatures", on_delete=fields.CASCADE
    )
    mandate_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="signatures", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    resident = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "signature"
        unique_together = (("mandate", "user"),)


class SignatureCount(Model):
    """One of several counter rows per mandate, summed on read.

    Spreading the +1 over shards keeps a viral mandate from serialising every
    co-signature on one row lock (see README, design).
    """

    id = fields.IntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="counter_shards", on_delete=fields.CASCADE
    )
    mandate_id: int
    shard = fields.SmallIntField()
    count = fields.IntField(default=0)
    resident = fields.IntField(default=0)

    class Meta:
        table = "signature_count"
        unique_together = (("mandate", "shard"),)


class Rating(Model):
    """A verdict of a co-signer on the outcome of a finished mandate, one per person.

    When her account goes, the row stays without her and without her comment: the
    published count, average and distribution do not change.
    """

    id = fields.BigIntField(primary_key=True)
    mandate: fields.ForeignKeyRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="ratings", on_delete=fields.CASCADE
    )
    mandate_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="ratings", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    score = fields.SmallIntField()
    # Markdown as written, and rendered once by the safe renderer.
    comment = fields.TextField(default="")
    comment_html = fields.TextField(default="")
    show_name = fields.BooleanField(default=False)
    # Set from the domain's clock: the 30-day edit window counts from created_at.
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "rating"
        unique_together = (("mandate", "user"),)
