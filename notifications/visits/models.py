"""Service visits: the catalogue of services, the rules that match them to consultations,
every call of the service portal with its outcome, and the invitations it led to."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from participation.accounts.models import User
    from participation.municipalities.models import District, Municipality


class Outcome(StrEnum):
    INVITED = "invited"
    NO_CONSENT = "no_consent"
    CAPPED = "capped"
    NOTHING_OPEN = "nothing_open"
    UNKNOWN_PERSON = "unknown_person"


class Target(StrEnum):
    """What an invitation leads to: sign a mandate, vote, or join a discussion."""

    MANDATE = "mandate"
    VOTE = "vote"
    DISCUSSION = "discussion"


class ServiceType(Model):
    """One routine service of a municipality, such as residence.registration."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="service_types", on_delete=fields.CASCADE
    )
    municipality_id: int
    code = fields.CharField(max_length=64)
    name_de = fields.CharField(max_length=120)
    name_en = fields.CharField(max_length=120)
    # Retired types stay, since visits of them are counted in the figures.
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "visit_service_type"
        unique_together = (("municipality", "code"),)


class InvitationRule(Model):
    """Which open consultations a visit of one service type is invited to.

    Topics match mandates by their topics, and own_district the consultations of the
    district the visit names.
    """

    id = fields.IntField(primary_key=True)
    service_type: fields.OneToOneRelation[ServiceType] = fields.OneToOneField(
        "auftrag.ServiceType", related_name="rule", on_delete=fields.CASCADE
    )
    service_type_id: int
    topics: fields.JSONField[list[str]] = fields.JSONField(default=list)
    own_district = fields.BooleanField(default=False)

    class Meta:
        table = "visit_invitation_rule"


class InvitationPolicy(Model):
    """How often one person may be invited in a municipality."""

    id = fields.IntField(primary_key=True)
    municipality: fields.OneToOneRelation[Municipality] = fields.OneToOneField(
        "auftrag.Municipality", related_name="invitation_policy", on_delete=fields.CASCADE
    )
    municipality_id: int
    cap_days = fields.IntField(default=14)

    class Meta:
        table = "visit_invitation_policy"


class ServiceVisit(Model):
    """One accepted call of the service portal, with its outcome. The person is kept
    only when she has an account, never the email the portal sent."""

    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="service_visits", on_delete=fields.CASCADE
    )
    municipality_id: int
    jti = fields.CharField(max_length=128)
    service_type: fields.ForeignKeyRelation[ServiceType] = fields.ForeignKeyField(
        "auftrag.ServiceType", related_name="visits", on_delete=fields.RESTRICT
    )
    service_type_id: int
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District", related_name="service_visits", null=True, on_delete=fields.SET_NULL
    )
    district_id: int | None
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="service_visits", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    outcome = fields.CharEnumField(Outcome, max_length=16)
    occurred_at = fields.DatetimeField(db_index=True)
    requested_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "visit_service_visit"
        unique_together = (("municipality", "jti"),)


class Invitation(Model):
    """The one invitation a visit led to: where it points, whether it was opened, and the
    satisfaction score given through it."""

    id = fields.BigIntField(primary_key=True)
    visit: fields.OneToOneRelation[ServiceVisit] = fields.OneToOneField(
        "auftrag.ServiceVisit", related_name="invitation", on_delete=fields.CASCADE
    )
    visit_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="invitations", on_delete=fields.CASCADE
    )
    municipality_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    # The secret of its links (open, and one per score): random, so nobody guesses another.
    token = fields.CharField(max_length=64, unique=True)
    target = fields.CharEnumField(Target, max_length=16)
    target_id = fields.IntField()
    target_path = fields.CharField(max_length=200)
    sent_at = fields.DatetimeField(db_index=True)
    opened_at = fields.DatetimeField(null=True)
    score = fields.SmallIntField(null=True)
    scored_at = fields.DatetimeField(null=True)
    comment = fields.TextField(default="")
    comment_html = fields.TextField(default="")

    class Meta:
        table = "visit_invitation"
        indexes = (("user_id", "sent_at"),)
