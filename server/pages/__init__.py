"""HTML pages: server-rendered, working without JavaScript."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.pages import account, administration, auth, mandates, passkeys, security
from server.settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    extra = [auth.MAILBOX] if auth.mailbox_enabled(settings) else []
    return [
        *mandates.ROUTES,
        *auth.ROUTES,
        *account.ROUTES,
        *administration.ROUTES,
        *security.ROUTES,
        *passkeys.ROUTES,
        *extra,
    ]
