"""A municipality's administration: roles and their audit log, verification levels,
residents, and the service portal's keys and attestations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation.accounts.authorization import roles
from participation.accounts.authorization.roles import Member
from participation.accounts.residency import verification as residency
from participation.accounts.residency.verification import Resident
from participation.municipalities.commands import set_verification_levels
from participation.municipalities.models import LEVEL_FIELDS
from participation.permissions import Level, Role
from server.api.endpoint import Registry
from server.api.schemas import NOT_BLANK, Line, Strict, Text
from server.auth import require_actor

api = Registry(order=60)


class RoleIn(Strict):
    email: Text = Field(min_length=1, max_length=254)
    role: Role


class RoleParams(BaseModel):
    role: Role


class MemberOut(BaseModel):
    user_id: int
    email: str
    display_name: str
    role: Role
    since: datetime


class MemberList(BaseModel):
    items: list[MemberOut]


class AuditEntryOut(BaseModel):
    role: Role
    granted: bool
    subject: str | None = Field(description="display name; null once the account is deleted")
    changed_by: str | None
    at: datetime


class AuditLog(BaseModel):
    items: list[AuditEntryOut]


class LevelsIn(Strict):
    """Levels left out or null stay as they are."""

    launch_level: Level | None = None
    sign_level: Level | None = None
    vote_level: Level | None = None


class LevelsOut(BaseModel):
    launch_level: Level
    sign_level: Level
    vote_level: Level


class ResidentIn(Strict):
    email: Text = Field(min_length=1, max_length=254)
    district: Text | None = Field(None, max_length=64)


class ResidentOut(BaseModel):
    user_id: int
    municipality: str
    district: str | None
    source: str
    verified_at: datetime


class PortalKeyIn(Strict):
    name: Line = Field(min_length=1, max_length=80, json_schema_extra=NOT_BLANK)
    public_key: Text = Field(max_length=4096, description="PEM, Ed25519 or P-256")


class PortalKeyOut(BaseModel):
    id: int
    name: str
    public_key: str
    created_at: datetime
    revoked_at: datetime | None


class PortalKeyList(BaseModel):
    items: list[PortalKeyOut]


class AttestationIn(Strict):
    attestation: Text = Field(
        min_length=1,
        max_length=residency.ATTESTATION_MAX,
        description=(
            "compact JWT signed by a registered portal key (EdDSA or ES256), claims iss "
            f"(the municipality's slug), aud {residency.AUDIENCE!r}, email, district?, "
            "iat, exp (at most 10 minutes later), jti"
        ),
    )


def _member(member: Member) -> dict:
    return MemberOut(**vars(member)).model_dump(mode="json")


def _resident(resident: Resident) -> dict:
    return ResidentOut(**vars(resident)).model_dump(mode="json")


@api(
    "/municipalities/{slug}/roles",
    response=MemberList,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def list_roles(request: Request, slug: str) -> JSONResponse:
    """Everyone holding a role here (administrators only)."""
    members = await roles.list_members(await require_actor(request), slug)
    return JSONResponse({"items": [_member(m) for m in members]})


@api(
    "/municipalities/{slug}/roles",
    "POST",
    body=RoleIn,
    response=MemberOut,
    status=201,
    auth=True,
    tag="administration",
    errors=(403, 404, 422),
    extra_responses={200: "The person already had this role."},
)
async def grant_role(request: Request, slug: str, body: RoleIn) -> JSONResponse:
    """Grant a role to the person with this email; recorded in the audit log."""
    member, created = await roles.grant_role(
        await require_actor(request), slug, body.email, body.role
    )
    return JSONResponse(_member(member), status_code=201 if created else 200)


@api(
    "/municipalities/{slug}/roles/{user_id:id}/{role}",
    "DELETE",
    status=204,
    auth=True,
    tag="administration",
    params=RoleParams,
    errors=(403, 404, 409),
)
async def revoke_role(request: Request, slug: str, user_id: int, role: str) -> Response:
    """Revoke a role; the last administrator stays (409)."""
    await roles.revoke_role(await require_actor(request), slug, user_id, role)
    return Response(status_code=204)


@api(
    "/municipalities/{slug}/audit-log",
    response=AuditLog,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def audit_log(request: Request, slug: str) -> JSONResponse:
    """Role changes here, newest first: who granted or revoked what, and when."""
    entries = await roles.audit_log(await require_actor(request), slug)
    items = [AuditEntryOut(**vars(e)).model_dump(mode="json") for e in entries]
    return JSONResponse({"items": items})


@api(
    "/municipalities/{slug}/verification-levels",
    "PUT",
    body=LevelsIn,
    response=LevelsOut,
    auth=True,
    tag="administration",
    errors=(403, 404, 422),
)
async def put_levels(request: Request, slug: str, body: LevelsIn) -> JSONResponse:
    """Choose the verification needed to launch, co-sign and vote here."""
    chosen = {k: v for k, v in body.model_dump().items() if v is not None}
    municipality = await set_verification_levels(await require_actor(request), slug, chosen)
    return JSONResponse({name: getattr(municipality, name).value for name in LEVEL_FIELDS})


@api(
    "/municipalities/{slug}/residents",
    "POST",
    body=ResidentIn,
    response=ResidentOut,
    auth=True,
    tag="administration",
    errors=(403, 404, 422),
)
async def verify_resident(request: Request, slug: str, body: ResidentIn) -> JSONResponse:
    """An administrator confirms that this person lives here (optionally: in a district)."""
    resident = await residency.verify_resident(
        await require_actor(request), slug, body.email, body.district
    )
    return JSONResponse(_resident(resident))


@api(
    "/municipalities/{slug}/residents/{user_id:id}",
    "DELETE",
    status=204,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def revoke_residency(request: Request, slug: str, user_id: int) -> Response:
    """Withdraw a residence proof."""
    await residency.revoke_residency(await require_actor(request), slug, user_id)
    return Response(status_code=204)


def _key(key: object) -> dict:
    return PortalKeyOut.model_validate(key, from_attributes=True).model_dump(mode="json")


@api(
    "/municipalities/{slug}/portal-keys",
    response=PortalKeyList,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def list_portal_keys(request: Request, slug: str) -> JSONResponse:
    """The service portal's registered public keys."""
    keys = await residency.list_portal_keys(await require_actor(request), slug)
    return JSONResponse({"items": [_key(k) for k in keys]})


@api(
    "/municipalities/{slug}/portal-keys",
    "POST",
    body=PortalKeyIn,
    response=PortalKeyOut,
    status=201,
    auth=True,
    tag="administration",
    errors=(403, 404, 422),
)
async def add_portal_key(request: Request, slug: str, body: PortalKeyIn) -> JSONResponse:
    """Register a public key of the municipal service portal; its id is the JWT `kid`."""
    key = await residency.add_portal_key(
        await require_actor(request), slug, body.name, body.public_key
    )
    return JSONResponse(_key(key), status_code=201)


@api(
    "/municipalities/{slug}/portal-keys/{key_id:id}",
    "DELETE",
    status=204,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def revoke_portal_key(request: Request, slug: str, key_id: int) -> Response:
    """Stop accepting attestations signed with this key."""
    await residency.revoke_portal_key(await require_actor(request), slug, key_id)
    return Response(status_code=204)


@api(
    "/municipalities/{slug}/residency-attestations",
    "POST",
    body=AttestationIn,
    response=ResidentOut,
    tag="administration",
    errors=(404, 409, 422),
)
async def attest_residency(request: Request, slug: str, body: AttestationIn) -> JSONResponse:
    """For the municipal service portal: a signed statement that someone lives here.

    The signature is the credential; no bearer token is needed.
    """
    return JSONResponse(_resident(await residency.attest_residency(slug, body.attestation)))
