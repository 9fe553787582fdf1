"""One's own sessions and passkeys: list them, end or rename or remove them.

Passkeys are added and used through the browser's ceremonies (server/pages/passkeys.py),
since those need the browser; everything else is here for any client.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation.accounts.identity import passkeys, sessions
from participation.accounts.models import Passkey, Session
from participation.errors import InvalidInput
from participation.ids import parse_id
from participation.messages import Message
from server.api.endpoint import Registry
from server.api.schemas import ListQuery
from server.api.security_schemas import (
    PasskeyIn,
    PasskeyList,
    PasskeyOut,
    RevokeAllIn,
    RevokedOut,
    SessionList,
    SessionOut,
)
from server.auth import require_actor

api = Registry(order=40)


def _page(rows: list[Any], query: ListQuery) -> tuple[list[Any], str | None]:
    """A page of a short, fully loaded list; the cursor is the offset of the next page."""
    offset = parse_id(query.cursor) if query.cursor is not None else 0
    if offset is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    more = len(rows) > offset + query.limit
    return rows[offset : offset + query.limit], str(offset + query.limit) if more else None


def _session(session: Session, current: int | None) -> SessionOut:
    return SessionOut(
        id=session.id,
        kind=session.kind,
        device=session.device,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        current=session.id == current,
    )


def _passkey(passkey: Passkey) -> dict[str, Any]:
    return PasskeyOut(
        id=passkey.id,
        name=passkey.name,
        created_at=passkey.created_at,
        last_used_at=passkey.last_used_at,
        backed_up=passkey.backed_up,
        transports=passkey.transports,
    ).model_dump(mode="json")


@api("/me/sessions", query=ListQuery, response=SessionList, auth=True, tag="security")
async def list_sessions(request: Request, query: ListQuery) -> JSONResponse:
    """Where the signed-in person is signed in: open sessions, most recently used first."""
    actor = await require_actor(request)
    rows, cursor = _page(await sessions.list_sessions(actor), query)
    items = [_session(s, actor.session_id) for s in rows]
    return JSONResponse(SessionList(items=items, next=cursor).model_dump(mode="json"))


@api(
    "/me/sessions/{session_id:id}",
    "DELETE",
    status=204,
    auth=True,
    tag="security",
    errors=(404,),
)
async def revoke_session(request: Request, session_id: int) -> Response:
    """End one of one's own sessions; its access tokens stop working at once."""
    await sessions.revoke_session(await require_actor(request), session_id)
    return Response(status_code=204)


@api(
    "/me/sessions/revoke-all",
    "POST",
    body=RevokeAllIn,
    response=RevokedOut,
    auth=True,
    tag="security",
)
async def revoke_all_sessions(request: Request, body: RevokeAllIn) -> JSONResponse:
    """Sign out everywhere, or everywhere else with `keep_current`."""
    actor = await require_actor(request)
    keep = actor.session_id if body.keep_current else None
    revoked = await sessions.revoke_all_sessions(actor, keep=keep)
    return JSONResponse(RevokedOut(revoked=revoked).model_dump())


@api("/me/passkeys", query=ListQuery, response=PasskeyList, auth=True, tag="security")
async def list_passkeys(request: Request, query: ListQuery) -> JSONResponse:
    """The signed-in person's passkeys, oldest first."""
    rows, cursor = _page(await passkeys.list_passkeys(await require_actor(request)), query)
    return JSONResponse({"items": [_passkey(p) for p in rows], "next": cursor})


@api(
    "/me/passkeys/{passkey_id:id}",
    "PATCH",
    body=PasskeyIn,
    response=PasskeyOut,
    auth=True,
    tag="security",
    errors=(404,),
)
async def rename_passkey(request: Request, passkey_id: int, body: PasskeyIn) -> JSONResponse:
    """Rename one of one's own passkeys."""
    actor = await require_actor(request)
    return JSONResponse(_passkey(await passkeys.rename_passkey(actor, passkey_id, body.name)))


@api(
    "/me/passkeys/{passkey_id:id}",
    "DELETE",
    status=204,
    auth=True,
    tag="security",
    errors=(404,),
)
async def remove_passkey(request: Request, passkey_id: int) -> Response:
    """Remove one of one's own passkeys; emailed links still sign the person in."""
    await passkeys.remove_passkey(await require_actor(request), passkey_id)
    return Response(status_code=204)
