"""The security page: one's passkeys and signed-in devices, with forms to change both.

Adding a passkey needs the browser's WebAuthn script; renaming, removing and
signing out work with plain forms. After an emailed link, people without a passkey
land here with `next` set and are offered one before they go on.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation import clock
from participation.accounts.identity import passkeys, sessions
from participation.accounts.models import Passkey, SecurityEvent
from participation.actors import Actor
from participation.errors import InvalidInput
from participation.redirects import safe_next
from server.auth import actor_of, sign_out_cookies
from server.pages.forms import action, field_errors, sign_in_redirect
from server.templating import render
from server.web import Pages

PATH = "/account/security"
DONE = {"added", "renamed", "removed", "signed-out", "signed-out-others"}
# How long a possible-clone warning stays on the page.
WARNING_DAYS = 30


async def _render(
    request: Request,
    actor: Actor,
    *,
    status: int = 200,
    rename_errors: dict[int, str] | None = None,
) -> Response:
    keys = await passkeys.list_passkeys(actor)
    done = request.query_params.get("done")
    next_path = request.query_params.get("next")
    warnings = await SecurityEvent.filter(
        user_id=actor.user_id,
        kind=passkeys.POSSIBLE_CLONE,
        created_at__gte=clock.now() - timedelta(days=WARNING_DAYS),
    ).order_by("-created_at")
    return render(
        request,
        "pages/security.html",
        status=status,
        passkeys=keys,
        sessions=await sessions.list_sessions(actor),
        current_session=actor.session_id,
        done=done if done in DONE else None,
        next_path=safe_next(next_path) if next_path else None,
        warnings=warnings,
        rename_errors=rename_errors or {},
    )


async def after_link(user_id: int, next_path: str) -> str:
    """Where an emailed link leads: people without a passkey are offered one on the way."""
    next_path = safe_next(next_path)
    if await Passkey.exists(user_id=user_id):
        return next_path
    return f"{PATH}?{urlencode({'next': next_path})}"


async def security_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    return await _render(request, actor)


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"{PATH}?done={what}", status_code=303)


def _signed_out(request: Request) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.raw_headers.extend(
        (b"set-cookie", value) for value in sign_out_cookies(request.app.state.settings)
    )
    return response


async def rename_passkey(request: Request) -> Response:
    passkey_id: int = request.path_params["passkey_id"]

    async def perform(actor: Actor, form: FormData) -> Response:
        try:
            await passkeys.rename_passkey(actor, passkey_id, str(form.get("name") or ""))
        except InvalidInput as exc:
            message = field_errors(exc).get("name", exc.detail)
            return await _render(request, actor, status=422, rename_errors={passkey_id: message})
        return _done("renamed")

    return await action(request, perform, PATH)


async def remove_passkey(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await passkeys.remove_passkey(actor, request.path_params["passkey_id"])
        return _done("removed")

    return await action(request, perform, PATH)


async def revoke_session(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        session_id = request.path_params["session_id"]
        await sessions.revoke_session(actor, session_id)
        if session_id == actor.session_id:
            return _signed_out(request)
        return _done("signed-out")

    return await action(request, perform, PATH)


async def revoke_other_sessions(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await sessions.revoke_all_sessions(actor, keep=actor.session_id)
        return _done("signed-out-others")

    return await action(request, perform, PATH)


async def revoke_all_sessions(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        await sessions.revoke_all_sessions(actor)
        return _signed_out(request)

    return await action(request, perform, PATH)


ROUTES = [
    Route(PATH, security_page, methods=["GET"]),
    Route(PATH + "/passkeys/{passkey_id:id}/rename", rename_passkey, methods=["POST"]),
    Route(PATH + "/passkeys/{passkey_id:id}/remove", remove_passkey, methods=["POST"]),
    Route(PATH + "/sessions/{session_id:id}/revoke", revoke_session, methods=["POST"]),
    Route(PATH + "/sessions/revoke-others", revoke_other_sessions, methods=["POST"]),
    Route(PATH + "/sessions/revoke-all", revoke_all_sessions, methods=["POST"]),
]

PAGES = Pages(70, ROUTES)
