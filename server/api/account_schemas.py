"""Request and response models of the signed-in person's own data: profile, consents, export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from participation.accounts.identity.consent import TOPICS
from participation.accounts.identity.profile import DISPLAY_NAME_MAX
from server.api.schemas import NOT_BLANK, Line, Strict, Text


class ProfileIn(Strict):
    display_name: Line = Field(
        min_length=1,
        max_length=DISPLAY_NAME_MAX,
        description="Shown publicly instead of the email address",
        json_schema_extra=NOT_BLANK,
    )


class DeleteAccountIn(Strict):
    confirm_email: Text = Field(
        max_length=320, description="The account's email address, typed to confirm"
    )


_VERSIONS = sorted({version for topic in TOPICS.values() for version in topic.wordings})


class ConsentIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["granted"], "properties": {"granted": {"const": True}}},
            "then": {
                "required": ["wording_version"],
                "properties": {"wording_version": {"type": "string"}},
            },
        }
    )

    granted: bool
    wording_version: Text | None = Field(
        default=None,
        max_length=16,
        description="Required to grant: the version of the wording the person agreed to",
        json_schema_extra={"enum": [*_VERSIONS, None]},
    )


class ConsentParams(BaseModel):
    """An unknown topic is a 404, like any path that names nothing."""

    topic: str = Field(json_schema_extra={"enum": list(TOPICS)})


class ConsentOut(BaseModel):
    topic: str
    title: str = Field(description="In the request's language")
    granted: bool
    wording_version: str | None = Field(
        description="Version of the wording of the latest choice; null if never asked"
    )
    changed_at: datetime | None
    current_version: str
    wording: str = Field(description="The current wording, in the request's language")
    needs_renewal: bool = Field(description="Granted to a wording that has changed since")


class ConsentList(BaseModel):
    items: list[ConsentOut]
    next: str | None


class Open(BaseModel):
    """Export sections may grow; a field added later is part of the document too."""

    model_config = ConfigDict(extra="allow")


class ProfileExport(Open):
    id: int
    email: str
    display_name: str
    email_verified: bool
    suspended_at: datetime | None
    created_at: datetime


class RoleExport(Open):
    municipality: str
    role: str
    since: datetime


class RoleChangeExport(Open):
    municipality: str
    role: str
    granted: bool
    at: datetime


class ResidencyExport(Open):
    municipality: str
    district: str | None
    source: str
    verified_at: datetime


class ResidenceExport(Open):
    municipality: str
    district: str | None
    source: str
    declared_at: datetime


class ResidenceChangeExport(Open):
    from_municipality: str | None
    from_district: str | None
    to_municipality: str | None
    to_district: str | None
    source: str
    at: datetime


class SessionExport(Open):
    kind: str
    device: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class PasskeyExport(Open):
    name: str
    created_at: datetime
    last_used_at: datetime | None
    backed_up: bool
    transports: list[str]


class ConsentRecordExport(Open):
    topic: str
    granted: bool
    wording_version: str
    wording: str | None = Field(description="The text agreed to or withdrawn from, in German")
    at: datetime


class SecurityEventExport(Open):
    kind: str
    data: dict[str, Any]
    at: datetime


class SignInLinkExport(Open):
    requested_at: datetime
    expires_at: datetime
    used_at: datetime | None


class MandateExport(Open):
    id: int
    municipality: str
    title: str
    summary: str
    body: str
    status: str
    created_at: datetime
    published_at: datetime | None


class SignatureExport(Open):
    mandate_id: int
    title: str
    resident: bool
    signed_at: datetime


class TimelineEntryExport(Open):
    mandate_id: int
    kind: str
    data: dict[str, Any]
    at: datetime


class AccountExport(Open):
    """Everything held about the person. Areas may add sections (for instance votes)."""

    format: str
    exported_at: datetime
    profile: ProfileExport
    roles: list[RoleExport]
    role_changes: list[RoleChangeExport] = Field(description="Roles granted to or revoked from her")
    role_changes_made: list[RoleChangeExport] = Field(
        description="Role changes she made as an administrator, without whom they were for"
    )
    residencies: list[ResidencyExport] = Field(description="Residence proven")
    residence: ResidenceExport | None = Field(description="Where she says she lives now")
    residence_changes: list[ResidenceChangeExport] = Field(
        description="Every declaration and change of it"
    )
    sessions: list[SessionExport]
    passkeys: list[PasskeyExport] = Field(description="Without public keys or credential ids")
    consents: list[ConsentRecordExport] = Field(description="Every grant and withdrawal")
    security_events: list[SecurityEventExport]
    sign_in_links: list[SignInLinkExport] = Field(description="Times only")
    mandates: list[MandateExport] = Field(description="Mandates she launched, drafts included")
    signatures: list[SignatureExport]
    timeline_entries: list[TimelineEntryExport] = Field(description="Entries she authored")
