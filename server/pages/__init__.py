"""HTML pages: server-rendered, working without JavaScript."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.pages import (
    account,
    administration,
    auth,
    mandates,
    passkeys,
    residence,
    security,
    vote_admin,
    votes,
)
from server.settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    extra = [auth.MAILBOX] if auth.mailbox_enabled(settings) else []
    return [
        *mandates.ROUTES,
        *votes.ROUTES,
        *vote_admin.ROUTES,
        *auth.ROUTES,
        *account.ROUTES,
        *residence.ROUTES,
        *administration.ROUTES,
        *security.ROUTES,
        *passkeys.ROUTES,
        *extra,
    ]
