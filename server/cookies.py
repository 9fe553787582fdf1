"""The browser's cookies that carry who it is: their names and the flags they all share.

When BASE_URL is https the names take the `__Host-` prefix. Browsers accept such a
cookie only with Secure, Path=/ and no Domain, so neither a sibling subdomain nor a
plain-http page can plant one, say to fix someone's session or CSRF token.
"""

from __future__ import annotations

from server.settings import Settings

ACCESS_COOKIE = "auftrag_access"
SESSION_COOKIE = "auftrag_session"
CSRF_COOKIE = "auftrag_csrf"
HOST_PREFIX = "__Host-"


def cookie_name(settings: Settings, name: str) -> str:
    return HOST_PREFIX + name if settings.host_cookies else name


def cookie(settings: Settings, name: str, value: str, max_age: int | None = None) -> bytes:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, for the whole site, Secure on https."""
    flags = "Path=/" + (f"; Max-Age={max_age}" if max_age is not None else "")
    flags += "; HttpOnly; SameSite=Lax" + ("; Secure" if settings.secure_cookies else "")
    return f"{cookie_name(settings, name)}={value}; {flags}".encode()
