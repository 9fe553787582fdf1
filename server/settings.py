"""Configuration, read only from the environment (12-factor).

Every variable is listed in the README's configuration table.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from participation import environment
from participation.environment import Services, positive, truthy
from server.limits import configure
from server.proxies import Network, parse_networks


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _rp_id(value: str | None, base_url: str) -> str:
    """WebAuthn's relying party: a bare host name; browsers refuse an IP address here.

    Unset, it is BASE_URL's host, whatever that is: passkeys then fail on an IP address,
    but nothing else does.
    """
    if not value:
        return urlsplit(base_url).hostname or "localhost"
    host = value.strip().lower()
    if _is_ip_address(host):
        raise ValueError(f"RP_ID={value!r} is an IP address; browsers need a host name")
    if not host or "/" in host or ":" in host:
        raise ValueError(f"RP_ID={value!r} must be a host name such as example.org")
    return host


def _origins(value: str) -> tuple[str, ...]:
    """Where ceremonies may run: scheme, host and port, exactly as browsers report them."""
    origins = tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path:
            raise ValueError(f"ORIGIN entry {origin!r} must look like https://host[:port]")
    if not origins:
        raise ValueError("ORIGIN must name at least one origin")
    return origins


def _rate_limits(value: str) -> str:
    """RATE_LIMITS as given, once it is known to parse (the error names the entry)."""
    configure(value)
    return value


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    secret_key: str
    old_secret_keys: tuple[str, ...] = ()
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = environment.MAIL_FROM
    base_url: str = "http://localhost:8000"
    rp_id: str = "localhost"
    origins: tuple[str, ...] = ("http://localhost:8000",)
    debug: bool = False
    demo: bool = False
    api_token_hours: int = 24
    session_hours: int = 720
    access_minutes: int = 15
    db_timeout: float = 5.0
    secure_cookies: bool = False
    rate_limits: str = ""
    # Where the limits' counters live in Redis; tests give each app its own.
    rate_limit_prefix: str = "auftrag-limits"
    trusted_proxies: tuple[Network, ...] = ()
    max_request_bytes: int = 1024 * 1024
    # Attachments' store (FILES_DIR); None means `files` under var_dir.
    files_dir: Path | None = None

    @property
    def dev_mailbox(self) -> bool:
        """The dev mailbox replaces SMTP when none is configured, in demo and debug mode:
        where its page exists. Elsewhere mail without SMTP is printed, never hidden."""
        return self.smtp_url is None and (self.demo or self.debug)

    @property
    def host_cookies(self) -> bool:
        """`__Host-` cookie names: they need Secure, so only on https."""
        return self.secure_cookies and self.base_url.startswith("https://")

    @property
    def file_store(self) -> Path:
        return self.files_dir or self.var_dir / "files"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        var_dir = environment.var_dir()
        services = Services.from_env()
        secret = environment.secret_key(var_dir)
        base_url = environment.base_url()
        values: dict[str, object] = dict(
            var_dir=var_dir,
            database_url=services.database_url,
            secret_key=secret,
            old_secret_keys=environment.old_secret_keys(),
            redis_url=services.redis_url,
            smtp_url=services.smtp_url,
            mail_from=services.mail_from,
            base_url=base_url,
            rp_id=_rp_id(env.get("RP_ID"), base_url),
            origins=_origins(env.get("ORIGIN") or base_url),
            debug=truthy(env.get("AUFTRAG_DEBUG")),
            demo=truthy(env.get("AUFTRAG_DEMO")),
            api_token_hours=int(positive("API_TOKEN_HOURS", "24")),
            session_hours=int(positive("SESSION_HOURS", "720")),
            access_minutes=int(positive("ACCESS_TOKEN_MINUTES", "15")),
            db_timeout=services.db_timeout,
            secure_cookies=base_url.startswith("https://"),
            rate_limits=_rate_limits(env.get("RATE_LIMITS", "")),
            trusted_proxies=parse_networks(env.get("TRUSTED_PROXIES", "")),
            max_request_bytes=int(positive("MAX_REQUEST_BYTES", str(1024 * 1024))),
            files_dir=Path(env["FILES_DIR"]).resolve() if env.get("FILES_DIR") else None,
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
