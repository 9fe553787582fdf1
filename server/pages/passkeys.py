"""Passkey ceremonies for the browser's script: JSON in and out, problem details on errors.

Not under /api: they work with cookies, the session and a ceremony cookie that binds
each challenge to this browser, so they take the CSRF token in the X-CSRF-Token
header, as forms take it in a field.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from participation.accounts.identity import challenges, passkeys
from participation.errors import DomainError, FieldError, InvalidInput
from participation.messages import Message
from participation.redirects import safe_next
from server import i18n, limits
from server.auth import actor_of, start_browser_session
from server.csrf import check_csrf
from server.pages import intents
from server.problems import problem
from server.settings import Settings
from server.web import Pages

CEREMONY_COOKIE = "auftrag_ceremony"
# A registration answer with a certificate chain is a few kilobytes; this leaves room.
MAX_BODY = 32 * 1024
# Where adding a passkey leads when it is not on the way somewhere else.
ADDED = "/account/security?done=added"


def relying_party(settings: Settings) -> passkeys.RelyingParty:
    return passkeys.RelyingParty(settings.rp_id, "Auftrag", settings.origins)


def _problem(exc: DomainError) -> Response:
    """Problem details in the reader's language: the script shows them as they are."""
    errors = [FieldError(e.field, i18n.gettext(e.message)) for e in exc.errors]
    return problem(exc.status, i18n.gettext(exc.detail), errors, headers=None, **exc.extra)


async def _body(request: Request) -> dict[str, Any]:
    """The CSRF-checked JSON object posted, read no further than MAX_BODY."""
    check_csrf(request, None)
    too_long = InvalidInput.on(
        "body", Message("The request body must be at most %(max)s bytes.", max=MAX_BODY)
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_long
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise too_long
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput.on("body", Message("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidInput.on("body", Message("The request body must be a JSON object."))
    return data


def _binding(request: Request) -> tuple[str, bytes]:
    """This browser's ceremony binding, and the cookie to set when it is new or renewed."""
    binding = request.cookies.get(CEREMONY_COOKIE, "")
    if not (20 <= len(binding) <= 64 and binding.replace("-", "").replace("_", "").isalnum()):
        binding = secrets.token_urlsafe(32)
    settings: Settings = request.app.state.settings
    lifetime = int(challenges.LIFETIME.total_seconds())
    secure = "; Secure" if settings.secure_cookies else ""
    cookie = (
        f"{CEREMONY_COOKIE}={binding}; Path=/passkeys; Max-Age={lifetime}; HttpOnly; "
        f"SameSite=Strict{secure}"
    )
    return binding, cookie.encode()


def _name(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInput.on("name", Message("The name must be text."))
    return name


async def _count_ceremony(request: Request) -> None:
    """Ceremonies count per address, and per account when someone is signed in."""
    actor = await actor_of(request)
    await limits.check(request, limits.PASSKEY, actor.user_id if actor else None)


async def register_options(request: Request) -> Response:
    await _count_ceremony(request)
    try:
        await _body(request)
        binding, cookie = _binding(request)
        options = await passkeys.begin_registration(
            await actor_of(request), relying_party(request.app.state.settings), binding
        )
    except DomainError as exc:
        return _problem(exc)
    response = JSONResponse(options)
    response.raw_headers.append((b"set-cookie", cookie))
    return response


async def register(request: Request) -> Response:
    await _count_ceremony(request)
    try:
        body = await _body(request)
        stored = await passkeys.finish_registration(
            await actor_of(request),
            relying_party(request.app.state.settings),
            request.cookies.get(CEREMONY_COOKIE, ""),
            body.get("credential"),
            _name(body),
            request.headers.get("user-agent", ""),
        )
    except DomainError as exc:
        return _problem(exc)
    # The script goes where this answer says, never where a query parameter said.
    target = safe_next(body.get("next"), fallback=ADDED)
    return JSONResponse(
        {
            "id": stored.id,
            "name": stored.name,
            "created_at": stored.created_at.isoformat(),
            "next": target,
        },
        status_code=201,
    )


async def sign_in_options(request: Request) -> Response:
    await limits.check(request, limits.PASSKEY)
    try:
        await _body(request)
    except DomainError as exc:
        return _problem(exc)
    binding, cookie = _binding(request)
    options = await passkeys.begin_authentication(
        relying_party(request.app.state.settings), binding
    )
    response = JSONResponse(options)
    response.raw_headers.append((b"set-cookie", cookie))
    return response


async def sign_in(request: Request) -> Response:
    await limits.check(request, limits.SIGN_IN)
    try:
        body = await _body(request)
        next_path = body.get("next")
        user_id = await passkeys.finish_authentication(
            relying_party(request.app.state.settings),
            request.cookies.get(CEREMONY_COOKIE, ""),
            body.get("credential"),
        )
    except DomainError as exc:
        return _problem(exc)
    # The sign-in page said what signing in would do; this CSRF-checked POST does it.
    target = await intents.complete(request, user_id, safe_next(next_path))
    response = JSONResponse({"next": target})
    response.raw_headers.extend(
        (b"set-cookie", value) for value in await start_browser_session(request, user_id)
    )
    return response


ROUTES = [
    Route("/passkeys/register/options", register_options, methods=["POST"]),
    Route("/passkeys/register", register, methods=["POST"]),
    Route("/passkeys/sign-in/options", sign_in_options, methods=["POST"]),
    Route("/passkeys/sign-in", sign_in, methods=["POST"]),
]

PAGES = Pages(80, ROUTES)
