"""The signed-in person's own data: her display name, consents, a copy of it all, erasure."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation.accounts import privacy
from participation.accounts.identity import consent, profile
from server import i18n
from server.api import me
from server.api.account_schemas import (
    AccountExport,
    ConsentIn,
    ConsentList,
    ConsentOut,
    ConsentParams,
    DeleteAccountIn,
    ProfileIn,
)
from server.api.endpoint import Registry
from server.api.schemas import MeOut
from server.auth import require_actor

api = Registry(order=20)


def consent_out(state: consent.ConsentState) -> ConsentOut:
    language = i18n.current()
    return ConsentOut(
        topic=state.topic.name,
        title=state.topic.heading(language),
        granted=state.granted,
        wording_version=state.wording_version,
        changed_at=state.changed_at,
        current_version=state.topic.current,
        wording=state.topic.wording(language),
        needs_renewal=state.needs_renewal,
    )


@api("/me", "PATCH", body=ProfileIn, response=MeOut, auth=True, tag="accounts")
async def update_me(request: Request, body: ProfileIn) -> Response:
    """Change the display name."""
    await profile.change_display_name(await require_actor(request), body.display_name)
    return await me.me(request)


@api("/me/export", response=AccountExport, auth=True, tag="privacy")
async def export_me(request: Request) -> JSONResponse:
    """Everything the platform holds about the signed-in person (GDPR Art. 15 and 20)."""
    return JSONResponse(await privacy.export_account(await require_actor(request)))


@api(
    "/me",
    "DELETE",
    body=DeleteAccountIn,
    status=204,
    auth=True,
    tag="privacy",
    errors=(409,),
)
async def delete_me(request: Request, body: DeleteAccountIn) -> Response:
    """Delete the account and personal data; signatures and votes stay as anonymous counts."""
    await privacy.delete_account(await require_actor(request), body.confirm_email)
    return Response(status_code=204)


@api("/me/consents", response=ConsentList, auth=True, tag="privacy")
async def list_consents(request: Request) -> JSONResponse:
    """The current choice on every consent topic, with the wording to show."""
    states = await consent.consents_of(await require_actor(request))
    page = ConsentList(items=[consent_out(s) for s in states], next=None)
    return JSONResponse(page.model_dump(mode="json"))


@api(
    "/me/consents/{topic}",
    "PUT",
    body=ConsentIn,
    params=ConsentParams,
    response=ConsentOut,
    auth=True,
    tag="privacy",
    errors=(404, 409),
)
async def put_consent(request: Request, topic: str, body: ConsentIn) -> JSONResponse:
    """Grant or withdraw a consent; granting an outdated wording's version is a 409."""
    actor = await require_actor(request)
    if body.granted:
        state = await consent.grant_consent(actor, topic, body.wording_version or "")
    else:
        state = await consent.withdraw_consent(actor, topic, body.wording_version)
    return JSONResponse(consent_out(state).model_dump(mode="json"))
