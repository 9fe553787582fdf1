"""The backing services every process connects to, read from the environment (12-factor).

The web app's settings (server.settings) add its own; the worker needs only these.
"""

from __future__ import annotations

import os
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


def var_dir() -> Path:
    return Path(os.environ.get("AUFTRAG_VAR_DIR", "var")).resolve()


def database_url(var: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite://{var / 'auftrag.sqlite3'}"
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ValueError("DATABASE_URL must start with sqlite://, postgres:// or postgresql://")
    return url


@dataclass(frozen=True)
class Services:
    database_url: str
    db_timeout: float = 5.0
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = MAIL_FROM

    @classmethod
    def from_env(cls) -> Services:
        env = os.environ
        return cls(
            database_url=database_url(var_dir()),
            db_timeout=positive("DATABASE_TIMEOUT", "5"),
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM", MAIL_FROM),
        )
