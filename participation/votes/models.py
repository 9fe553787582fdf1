"""Priority votes, their options, who took part, and the secret ballots.

Who took part (`Participation`) and what was chosen (`Ballot`) live in separate tables
with nothing in common but the vote: a ballot's `slot` is a keyed hash of the voter's
id whose key is erased when the vote closes (see README, design). Published ballots
live in a table of their own (see storage.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from participation.permissions import Level

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.mandates.models import Mandate
    from participation.municipalities.models import District, Municipality


class Rule(StrEnum):
    APPROVAL = "approval"
    IRV = "irv"
    SCHULZE = "schulze"
    CUMULATIVE = "cumulative"
    GREEDY = "greedy"
    GREEDY_THRESHOLD = "greedy-threshold"
    MES = "mes"
    ORDINAL_GREEDY = "ordinal-greedy"


class VoteStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Vote(Model):
    """A priority vote of a municipality, standalone or attached to a mandate."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="votes", on_delete=fields.RESTRICT
    )
    municipality_id: int
    mandate: fields.ForeignKeyNullableRelation[Mandate] = fields.ForeignKeyField(
        "auftrag.Mandate", related_name="votes", null=True, on_delete=fields.SET_NULL
    )
    mandate_id: int | None
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District", related_name="votes", null=True, on_delete=fields.RESTRICT
    )
    district_id: int | None
    title = fields.CharField(max_length=120)
    description = fields.TextField()
    description_html = fields.TextField()
    rule = fields.CharEnumField(Rule, max_length=20)
    # Approval: choose up to k. Budget rules: count cap. Ordinal greedy: rank exactly k.
    max_choices = fields.IntField(null=True)
    points_total = fields.IntField(null=True)
    points_max_per_option = fields.IntField(null=True)
    budget_cents = fields.BigIntField(null=True)
    # Budget rules: a ballot may approve projects costing at most the budget together.
    limit_ballot_cost = fields.BooleanField(default=True)
    min_votes = fields.IntField(null=True)
    eligibility_level = fields.CharEnumField(Level, max_length=24)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    min_turnout = fields.IntField(default=0)
    status = fields.CharEnumField(
        VoteStatus, max_length=16, default=VoteStatus.DRAFT, db_index=True
    )
    cancel_reason = fields.TextField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="votes_created", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    result: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    turnout = fields.IntField(null=True)
    # Keys the ballot slots while the vote runs. Erased on publication or cancellation.
    ballot_key = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)
    # When storage last held anything that linked its ballots to people (see storage.py).
    sealed_at = fields.DatetimeField(null=True)
    # When "closes tomorrow" was announced: claimed once, by whichever run comes first.
    closing_announced_at = fields.DatetimeField(null=True)

    options: fields.ReverseRelation[VoteOption]

    class Meta:
        table = "vote"


class VoteOption(Model):
    id = fields.IntField(primary_key=True)
    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "auftrag.Vote", related_name="options", on_delete=fields.CASCADE
    )
    vote_id: int
    position = fields.SmallIntField()
    title = fields.CharField(max_length=120)
    description = fields.TextField(default="")
    cost_cents = fields.BigIntField(null=True)

    class Meta:
        table = "vote_option"
        unique_together = (("vote", "position"),)
        ordering = ["position"]


class Participation(Model):
    """That a person took part in a vote, and nothing about how she voted."""

    id = fields.IntField(primary_key=True)
    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "auftrag.Vote", related_name="participations", on_delete=fields.CASCADE
    )
    vote_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="participations", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "vote_participation"
        unique_together = (("vote", "user"),)


class Ballot(Model):
    """A ballot of a vote still open or closed, under a random id and with no timestamp.

    Nothing orders it in time; publication moves it to `PublishedBallot`.
    """

    id = fields.UUIDField(primary_key=True)
    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "auftrag.Vote", related_name="ballots", on_delete=fields.CASCADE
    )
    vote_id: int
    slot = fields.CharField(max_length=64)
    choices: fields.JSONField[Any] = fields.JSONField()
    receipt_digest = fields.CharField(max_length=64)

    class Meta:
        table = "vote_ballot"
        unique_together = (("vote", "slot"), ("vote", "receipt_digest"))


class PublishedBallot(Model):
    """A counted ballot of a published vote, written once in random order, never changed.

    So its table holds no older row versions that could link it to the cast.
    """

    id = fields.UUIDField(primary_key=True)
    vote: fields.ForeignKeyRelation[Vote] = fields.ForeignKeyField(
        "auftrag.Vote", related_name="published_ballots", on_delete=fields.CASCADE
    )
    vote_id: int
    choices: fields.JSONField[Any] = fields.JSONField()
    receipt_digest = fields.CharField(max_length=64)

    class Meta:
        table = "vote_published_ballot"
        unique_together = (("vote", "receipt_digest"),)
