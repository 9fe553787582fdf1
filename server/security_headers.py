"""Security headers on every response, whatever produced it.

It wraps the whole application, outside Starlette's error layer, so pages, the API,
event streams, static files, redirects and every error answer (a crash's 500 too) carry
the same headers. A page may run only the scripts whose tags carry this request's nonce
(`csp_nonce` in templates) and styles from our own stylesheets, and no other site may
frame it. Anything that is not HTML gets a policy that allows nothing at all: a JSON
body or a stylesheet has no business loading anything.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NONCE = "csp_nonce"

NOTHING = "default-src 'none'; frame-ancestors 'none'"

# Passkeys are the only powerful feature the platform uses; everything else is refused,
# for us and for anything we might ever embed.
PERMISSIONS = ", ".join(
    [
        "publickey-credentials-get=(self)",
        "publickey-credentials-create=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "camera",
                "display-capture",
                "geolocation",
                "gyroscope",
                "hid",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "screen-wake-lock",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
    ]
)

HSTS = "max-age=31536000; includeSubDomains"


def page_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'nonce-{nonce}'",
            "style-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ]
    )


def nonce(conn: HTTPConnection) -> str:
    """This request's script nonce, for the templates' <script> tags."""
    return str(conn.scope["state"][NONCE])


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Fresh for every request: a nonce an attacker could learn from one page must
        # not open another.
        request_nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})[NONCE] = request_nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                is_page = headers.get("content-type", "").startswith("text/html")
                if is_page:
                    headers["Content-Security-Policy"] = page_policy(request_nonce)
                elif "content-security-policy" not in headers:
                    # Served files bring a stricter one of their own (sandbox).
                    headers["Content-Security-Policy"] = NOTHING
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers["Permissions-Policy"] = PERMISSIONS
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if self.hsts:
                    headers["Strict-Transport-Security"] = HSTS
                del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)
