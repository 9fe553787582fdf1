"""The backing services every process connects to, read from the environment (12-factor).

The web app's settings (server.settings) add its own; the worker needs only these.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

MAIL_FROM = "Auftrag <noreply@auftrag.localhost>"


def positive(name: str, default: str) -> float:
    """A positive number from the environment; the error names the variable."""
    text = os.environ.get(name, default)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {text!r}")
    return value


def truthy(value: str | None, default: bool = False) -> bool:
    """An on/off value: 1, true, yes or on. The web's settings and the worker read their
    flags through this one rule, so both choose the same mailer."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def flag(name: str) -> bool:
    """An on/off variable of the environment (see `truthy`)."""
    return truthy(os.environ.get(name))


def metrics_min_cases() -> int:
    """METRICS_MIN_CASES: a figure resting on fewer cases is shown as such and never ranked."""
    text = os.environ.get("METRICS_MIN_CASES", "10")
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"METRICS_MIN_CASES must be a whole number of at least 1, not {text!r}")
    return int(text)


def var_dir() -> Path:
    return Path(os.environ.get("AUFTRAG_VAR_DIR", "var")).resolve()


def database_url(var: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite://{var / 'auftrag.sqlite3'}"
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ValueError("DATABASE_URL must start with sqlite://, postgres:// or postgresql://")
    return url


def secret_key(var: Path) -> str:
    """SECRET_KEY, else a generated key kept in ./var, so that sessions survive restarts of
    the embedded default and the worker signs links with the key the web checks."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = var / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process (the web, a worker) made it first.
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def old_secret_keys() -> tuple[str, ...]:
    """OLD_SECRET_KEYS: former keys whose signatures still verify."""
    return tuple(k.strip() for k in os.environ.get("OLD_SECRET_KEYS", "").split(",") if k.strip())


def base_url() -> str:
    return os.environ.get("BASE_URL", "http://localhost:8000").rstrip("/")


@dataclass(frozen=True)
class Services:
    database_url: str
    db_timeout: float = 5.0
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = MAIL_FROM
    # Demo or debug mode (AUFTRAG_DEMO, AUFTRAG_DEBUG): mail without SMTP stays readable
    # at /dev/mailbox; otherwise it is printed (notifications/mail.py).
    dev_mailbox: bool = False

    @classmethod
    def from_env(cls) -> Services:
        env = os.environ
        return cls(
            database_url=database_url(var_dir()),
            db_timeout=positive("DATABASE_TIMEOUT", "5"),
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM", MAIL_FROM),
            dev_mailbox=flag("AUFTRAG_DEMO") or flag("AUFTRAG_DEBUG"),
        )
