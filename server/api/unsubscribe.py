"""One-click unsubscribe (RFC 8058): the signed link of an email turns a category off.

No sign-in: the link's signature is the authority, as a mail client posts it for her.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from notifications.email.unsubscribe import unsubscribe
from server.api.endpoint import Registry
from server.api.unsubscribe_schemas import UnsubscribedOut

api = Registry(order=85)


def keys(request: Request) -> tuple[str, ...]:
    settings = request.app.state.settings
    return (settings.secret_key, *settings.old_secret_keys)


@api(
    "/unsubscribe/{token}",
    "POST",
    response=UnsubscribedOut,
    tag="notifications",
    errors=(404,),
)
async def unsubscribe_by_link(request: Request, token: str) -> JSONResponse:
    """Stop the emails of the link's categories; repeating it changes nothing."""
    found = await unsubscribe(keys(request), token)
    out = UnsubscribedOut(categories=list(found.categories))
    return JSONResponse(out.model_dump(mode="json"))
