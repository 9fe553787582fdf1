"""What `auftrag serve` prints once it listens: the address, and with --demo its people."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from participation.accounts.models import Membership, User
from participation.municipalities.models import Municipality
from server import cli, demo, demo_year
from server.announce import AnnouncingServer
from server.demo import PEOPLE
from server.demo_towns import CITIZENS, OPERATOR, TOWNS
from tests.support import make_settings


def test_the_demo_banner_names_the_address_the_accounts_and_the_mailbox(tmp_path: Path) -> None:
    settings = make_settings(
        "sqlite://:memory:", tmp_path, demo=True, base_url="http://localhost:8123"
    )
    banner = cli.startup_banner(settings)
    lines = banner.splitlines()
    assert lines[0] == "Auftrag is running at http://localhost:8123/"
    assert "http://localhost:8123/sign-in" in lines[1]
    for email, _, role in PEOPLE:
        line = next(line for line in lines if email in line)
        assert line.split()[0] == role.value
    # Each town under its address, its people by role, the citizens as first ... last.
    for town in TOWNS:
        at = lines.index(f"{town.name:<14}  http://localhost:8123/m/{town.slug}")
        assert lines[at + 1 : at + 5] == [
            f"  citizen    buerger1@{town.domain} ... buerger{CITIZENS}@{town.domain}",
            f"  council    rat@{town.domain}",
            f"  moderator  moderation@{town.domain}",
            f"  admin      verwaltung@{town.domain}",
        ]
    assert "Operator of the deployment (founds municipalities): betrieb@demo.example" in lines
    assert (
        lines[-1] == "Dev mailbox (every email sent, demo only): http://localhost:8123/dev/mailbox"
    )
    assert len(lines) <= 30 and max(len(line) for line in lines) <= 120


@pytest.mark.usefixtures("database")
async def test_the_banner_names_the_accounts_the_demo_seeds() -> None:
    await demo.seed(towns=False)
    await demo_year.seed_towns(datetime(2026, 11, 20, tzinfo=UTC), mandates=1, visits=1)
    listed = cli.demo_accounts()
    assert [slug for _, slug, _ in listed] == [
        m.slug for m in await Municipality.all().order_by("id")
    ]
    for name, slug, accounts in listed:
        assert (await Municipality.get(slug=slug)).name == name
        for role, emails in accounts.items():
            held = await Membership.filter(
                municipality__slug=slug, role=role, user__email__in=emails
            ).count()
            assert emails and held == len(emails), (slug, role)
    assert (await User.get(email=OPERATOR)).operator_since is not None


def test_without_demo_only_the_address(tmp_path: Path) -> None:
    settings = make_settings(
        "sqlite://:memory:",
        tmp_path,
        debug=False,
        base_url="https://auftrag.example",
        smtp_url="smtp://mail.example:587",
    )
    assert cli.startup_banner(settings) == "Auftrag is running at https://auftrag.example/"


def test_without_smtp_outside_demo_the_banner_says_mail_is_printed_not_sent(
    tmp_path: Path,
) -> None:
    settings = make_settings(
        "sqlite://:memory:", tmp_path, debug=False, base_url="https://auftrag.example"
    )
    assert not settings.dev_mailbox
    assert cli.startup_banner(settings).splitlines() == [
        "Auftrag is running at https://auftrag.example/",
        "Warning: SMTP_URL is not set: emails are printed here, not sent",
    ]
    demo = make_settings("sqlite://:memory:", tmp_path, debug=False, demo=True)
    assert demo.dev_mailbox and "Warning" not in cli.startup_banner(demo)


def test_the_banner_comes_once_after_the_socket_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []

    async def listening(self: uvicorn.Server, sockets: Any = None) -> None:
        calls.append("listening")
        self.started = True

    monkeypatch.setattr(uvicorn.Server, "startup", listening)
    server = AnnouncingServer(uvicorn.Config("server.asgi:app"), "Auftrag is here")
    asyncio.run(server.startup())
    assert calls == ["listening"]
    assert capsys.readouterr().out == "Auftrag is here\n"

    async def failed(self: uvicorn.Server, sockets: Any = None) -> None:
        self.started = False

    monkeypatch.setattr(uvicorn.Server, "startup", failed)
    asyncio.run(AnnouncingServer(uvicorn.Config("server.asgi:app"), "never").startup())
    assert capsys.readouterr().out == ""


def test_serve_demo_hands_the_banner_to_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(cli, "cmd_demo", lambda args, settings: 0)
    monkeypatch.setattr(AnnouncingServer, "run", lambda self: ran.append(self.banner))
    # Recorded, so that what serve --demo sets for its server is undone afterwards.
    for name in ("AUFTRAG_DEMO", "AUFTRAG_DEBUG"):
        monkeypatch.setenv(name, "0")
    monkeypatch.setenv("AUFTRAG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path}/db.sqlite3")
    monkeypatch.setenv("BASE_URL", "http://localhost:8765")
    assert cli.main(["serve", "--demo", "--port", "8765"]) == 0
    (banner,) = ran
    assert banner.startswith("Auftrag is running at http://localhost:8765/")
    assert "admin@demo.example" in banner and "/dev/mailbox" in banner
    assert capsys.readouterr().out == ""  # printed by the server once listening, not before
