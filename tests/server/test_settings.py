"""Passkey settings: RP_ID and ORIGIN follow BASE_URL unless set, and bad values say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BASE_URL", "RP_ID", "ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUFTRAG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)


def test_the_embedded_default_is_localhost() -> None:
    settings = Settings.from_env()
    assert settings.base_url == "http://localhost:8000"
    assert settings.rp_id == "localhost"
    assert settings.origins == ("http://localhost:8000",)


def test_they_follow_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_URL", "https://mitmachen.example.org/")
    settings = Settings.from_env()
    assert settings.rp_id == "mitmachen.example.org"
    assert settings.origins == ("https://mitmachen.example.org",)


def test_they_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_URL", "https://www.example.org")
    monkeypatch.setenv("RP_ID", "Example.org")
    monkeypatch.setenv("ORIGIN", "https://www.example.org, https://app.example.org/")
    settings = Settings.from_env()
    assert settings.rp_id == "example.org"
    assert settings.origins == ("https://www.example.org", "https://app.example.org")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RP_ID", "127.0.0.1", "is an IP address"),
        ("RP_ID", "https://example.org", "must be a host name"),
        ("ORIGIN", "example.org", "must look like https://host[:port]"),
        ("ORIGIN", "https://example.org/path", "must look like https://host[:port]"),
        ("ORIGIN", " , ", "at least one origin"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name) as raised:
        Settings.from_env()
    assert message in str(raised.value)
