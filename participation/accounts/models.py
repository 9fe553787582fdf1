"""People and how they prove who they are: roles, sessions, passkeys, residence, consent."""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from participation.permissions import Role

if TYPE_CHECKING:
    from participation.municipalities.models import District, Municipality


def new_account_ref() -> str:
    """A pseudonymous reference a service portal may send instead of the email address:
    random, so it says nothing about the person and cannot be guessed."""
    return "acc_" + secrets.token_urlsafe(18)


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=80)
    email_verified = fields.BooleanField(default=False)
    suspended_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Null only for accounts older than migration 0020 until it filled them in.
    account_ref = fields.CharField(max_length=32, unique=True, null=True, default=new_account_ref)
    # Operators run the deployment (they create municipalities); granted on the command line.
    operator_since = fields.DatetimeField(null=True)

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


class Session(Model):
    """A signed-in browser or API client. Access tokens name it, so revoking it ends them.

    The browser holds `id.secret`, and only the SHA-256 of the secret is stored.
    """

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    secret_hash = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=16, default="browser")
    device = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_session"


class Passkey(Model):
    """A WebAuthn credential. Its public key verifies sign-ins, and nothing secret is stored."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="passkeys", on_delete=fields.CASCADE
    )
    user_id: int
    credential_id = fields.CharField(max_length=1400, unique=True)
    public_key = fields.TextField()
    sign_count = fields.BigIntField(default=0)
    transports: fields.JSONField[list[str]] = fields.JSONField(default=list)
    name = fields.CharField(max_length=80)
    backed_up = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_passkey"


class WebAuthnChallenge(Model):
    """One ceremony's challenge: bound to the browser that asked, used once, short-lived."""

    id = fields.IntField(primary_key=True)
    challenge = fields.CharField(max_length=128, unique=True)
    purpose = fields.CharField(max_length=16)
    binding_hash = fields.CharField(max_length=64)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="webauthn_challenges", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_webauthn_challenge"


class SecurityEvent(Model):
    """Something a person or an operator should know about, such as a possibly cloned key."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="security_events", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    kind = fields.CharField(max_length=48)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_security_event"


class RoleChange(Model):
    """The audit log of roles: who granted or revoked what, for whom, and when."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="role_changes", on_delete=fields.CASCADE
    )
    municipality_id: int
    subject: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="role_changes", null=True, on_delete=fields.SET_NULL
    )
    subject_id: int | None
    changed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="role_changes_made", null=True, on_delete=fields.SET_NULL
    )
    changed_by_id: int | None
    role = fields.CharEnumField(Role, max_length=16)
    granted = fields.BooleanField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "account_role_change"


class PendingRole(Model):
    """A role an administrator gave an email address that has no account yet.

    It applies when the account is first signed in; until then it can be withdrawn. Rows
    stay after either, as the record of who invited whom.
    """

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="pending_roles", on_delete=fields.CASCADE
    )
    municipality_id: int
    email = fields.CharField(max_length=254, db_index=True)
    role = fields.CharEnumField(Role, max_length=16)
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="invitations_made", null=True, on_delete=fields.SET_NULL
    )
    invited_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    # Exactly one of these ends a pending role.
    accepted_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="accepted_roles", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None

    class Meta:
        table = "account_pending_role"


class Residency(Model):
    """A person proven to live in a municipality (and maybe a district), and by whom."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="residencies", on_delete=fields.CASCADE
    )
    user_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="residencies", on_delete=fields.CASCADE
    )
    municipality_id: int
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District", related_name="residencies", null=True, on_delete=fields.SET_NULL
    )
    district_id: int | None
    source = fields.CharField(max_length=16)
    verified_at = fields.DatetimeField()

    class Meta:
        table = "account_residency"
        unique_together = (("user", "municipality"),)


class ResidenceSource(StrEnum):
    """Who said where a person lives: she herself, or a proof that moved her declaration."""

    DECLARED = "declared"
    ADMIN = "admin"
    PORTAL = "portal"


class ResidenceDeclaration(Model):
    """Where a person says she lives now: a statement, not a proof. One per person."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "auftrag.User", related_name="residence", on_delete=fields.CASCADE
    )
    user_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="declared_residents", on_delete=fields.CASCADE
    )
    municipality_id: int
    district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District", related_name="declared_residents", null=True, on_delete=fields.SET_NULL
    )
    district_id: int | None
    source = fields.CharEnumField(ResidenceSource, max_length=16)
    declared_at = fields.DatetimeField()

    class Meta:
        table = "account_residence_declaration"


class ResidenceChange(Model):
    """Append-only record of every declaration and change: when, from where, to where."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="residence_changes", on_delete=fields.CASCADE
    )
    user_id: int
    from_municipality: fields.ForeignKeyNullableRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality",
        related_name="residence_changes_from",
        null=True,
        on_delete=fields.SET_NULL,
    )
    from_municipality_id: int | None
    from_district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District",
        related_name="residence_changes_from",
        null=True,
        on_delete=fields.SET_NULL,
    )
    from_district_id: int | None
    to_municipality: fields.ForeignKeyNullableRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality",
        related_name="residence_changes_to",
        null=True,
        on_delete=fields.SET_NULL,
    )
    to_municipality_id: int | None
    to_district: fields.ForeignKeyNullableRelation[District] = fields.ForeignKeyField(
        "auftrag.District",
        related_name="residence_changes_to",
        null=True,
        on_delete=fields.SET_NULL,
    )
    to_district_id: int | None
    source = fields.CharEnumField(ResidenceSource, max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "account_residence_change"


class Consent(Model):
    """Append-only: each grant or withdrawal with its time and the wording version shown."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "auftrag.User", related_name="consents", on_delete=fields.CASCADE
    )
    user_id: int
    topic = fields.CharField(max_length=48)
    granted = fields.BooleanField()
    wording_version = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_consent"
        # The dispatcher asks for a person's latest record on a topic, per recipient.
        indexes = (("user_id", "topic", "id"),)


class PortalKey(Model):
    """A municipal service portal's public key: it signs residency attestations.

    Only the public half is stored, so a leak of our database cannot forge attestations.
    """

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="portal_keys", on_delete=fields.CASCADE
    )
    municipality_id: int
    name = fields.CharField(max_length=80)
    public_key = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_portal_key"


class UsedAttestation(Model):
    """Attestation ids already accepted, kept until they expire, so none is replayed."""

    id = fields.IntField(primary_key=True)
    jti = fields.CharField(max_length=128, unique=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "account_used_attestation"
