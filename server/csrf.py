"""Cross-site request forgery: writes from other sites' pages are refused twice over.

First by what the browser says about the request: an `Origin` that is not one of this
site's (BASE_URL and ORIGIN), `Origin: null`, or, without Origin, a `Sec-Fetch-Site`
other than same-origin or none. Requests with neither header (curl, API clients with
bearer tokens) pass on to the second check, and browsers always send one of them.

Second by a token every form and script sends back: an HMAC, under the server's key,
of the browser's session cookie or, before sign-in, of a random value in the CSRF
cookie. A token from another browser, or from before this browser signed in or out,
names another value and fails; a sibling subdomain that can write cookies still
cannot compute one. The random value is replaced on the first request of each session
(it carries a tag of the session it was made in), so after signing out the browser has
one that no token from before signing in was made of.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import messages
from participation.errors import InvalidInput
from server import i18n
from server.body_limit import ErrorHandler
from server.cookies import CSRF_COOKIE, SESSION_COOKIE, cookie, cookie_name
from server.settings import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Request state: this browser's random pre-session value, and whether the session
# middleware is clearing the session cookie with this very response.
BROWSER_STATE = "csrf_browser"
SESSION_ENDED_STATE = "session_ended"
_DEFAULT_PORTS = {"http": 80, "https": 443}
CROSS_SITE = messages.Message("This request came from another website and was refused.")


def origin_of(url: str) -> str | None:
    """Scheme, host and port as a browser writes them in `Origin`; None if not a web URL."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def own_origins(settings: Settings) -> frozenset[str]:
    origins = {origin_of(url) for url in (settings.base_url, *settings.origins)}
    return frozenset(origin for origin in origins if origin is not None)


def is_cross_site(headers: Headers, own: frozenset[str]) -> bool:
    """Whether the browser says this request was sent by another site's page."""
    origin = headers.get("origin")
    if origin is not None:
        return origin_of(origin) not in own
    fetch_site = headers.get("sec-fetch-site")
    return fetch_site is not None and fetch_site.lower() not in {"same-origin", "none"}


def _token(key: str, binding: str) -> str:
    digest = hmac.new(key.encode(), b"csrf\x00" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _binding(conn: HTTPConnection, settings: Settings, *, for_page: bool) -> str | None:
    """What this browser's token is made of; `for_page` looks past this response."""
    state = conn.scope.get("state", {})
    session = conn.cookies.get(cookie_name(settings, SESSION_COOKIE))
    if session and not (for_page and state.get(SESSION_ENDED_STATE)):
        return "session:" + session
    value = conn.cookies.get(cookie_name(settings, CSRF_COOKIE))
    if for_page:
        value = state.get(BROWSER_STATE) or value
    return "browser:" + value if value else None


def csrf_token(conn: HTTPConnection) -> str:
    """The token for the forms and scripts of the page being rendered."""
    settings: Settings = conn.app.state.settings
    return _token(settings.secret_key, _binding(conn, settings, for_page=True) or "")


def check_csrf(request: Request, submitted: object) -> None:
    """The form's field (or a script's header) must carry this browser's token.

    Tokens made under a former key (OLD_SECRET_KEYS) still pass, so rotating the key
    does not make every open form fail.
    """
    settings: Settings = request.app.state.settings
    if submitted is None:
        submitted = request.headers.get(CSRF_HEADER)
    binding = _binding(request, settings, for_page=False)
    keyring = (settings.secret_key, *settings.old_secret_keys)
    if (
        binding is None
        or not isinstance(submitted, str)
        or not any(hmac.compare_digest(_token(key, binding), submitted) for key in keyring)
    ):
        raise InvalidInput.on(
            CSRF_FIELD, messages.Message("The form expired. Reload the page and try again.")
        )


class CSRFMiddleware:
    """Refuse cross-site writes, and give every browser its pre-session value.

    Sits inside the locale middleware, so the refusal page speaks the reader's language.
    """

    def __init__(self, app: ASGIApp, settings: Settings, handler: ErrorHandler) -> None:
        self.app = app
        self.settings = settings
        self.own = own_origins(settings)
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and is_cross_site(Headers(scope=scope), self.own):
            # The API speaks English; pages and the passkey script the reader's language.
            detail = CROSS_SITE if scope["path"].startswith("/api/") else i18n.gettext(CROSS_SITE)
            request = Request(scope, receive)
            response = await self.handler(request, HTTPException(403, detail))
            await response(scope, receive, send)
            return
        # The JSON API takes bearer tokens for writes; it has no forms to protect.
        if scope["path"].startswith(("/api/", "/static/")):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        cookies = HTTPConnection(scope).cookies
        existing = cookies.get(cookie_name(self.settings, CSRF_COOKIE))
        session = cookies.get(cookie_name(self.settings, SESSION_COOKIE))
        tag = "" if not session or state.get(SESSION_ENDED_STATE) else self._tag(session)
        if existing and existing.endswith(tag):
            state[BROWSER_STATE] = existing
            await self.app(scope, receive, send)
            return
        value = secrets.token_urlsafe(32) + tag
        state[BROWSER_STATE] = value
        set_cookie = cookie(self.settings, CSRF_COOKIE, value)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"set-cookie", set_cookie))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _tag(self, session: str) -> str:
        return "." + _token(self.settings.secret_key, "tag:" + session)[:12]
