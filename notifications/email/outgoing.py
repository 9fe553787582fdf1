"""What an email needs from the app's configuration: where links point, the keys that
sign unsubscribe links, and the domain of its Message-ID."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from participation import environment
from participation.environment import Services


@dataclass(frozen=True)
class Outgoing:
    base_url: str
    # The signing key first, then old keys that still verify.
    keys: tuple[str, ...]
    domain: str

    def link(self, path: str) -> str:
        """A path made absolute under BASE_URL; never the Host header of some request."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"


def domain_of(sender: str, base_url: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or urlsplit(base_url).hostname or "localhost"


def from_settings(settings: Any) -> Outgoing:
    """From the web app's `server.settings.Settings`."""
    return Outgoing(
        base_url=settings.base_url,
        keys=(settings.secret_key, *settings.old_secret_keys),
        domain=domain_of(settings.mail_from, settings.base_url),
    )


@cache
def from_env() -> Outgoing:
    """The same values the web app reads (SECRET_KEY, OLD_SECRET_KEYS, BASE_URL,
    MAIL_FROM), so a link the worker signs is one the web accepts."""
    base_url = environment.base_url()
    return Outgoing(
        base_url=base_url,
        keys=(environment.secret_key(environment.var_dir()), *environment.old_secret_keys()),
        domain=domain_of(Services.from_env().mail_from, base_url),
    )


def of(ctx: dict[str, Any]) -> Outgoing:
    """The job context's, when the process put one there, else the environment's."""
    known = ctx.get("outgoing")
    return known if isinstance(known, Outgoing) else from_env()
