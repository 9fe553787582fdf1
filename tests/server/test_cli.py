"""The `auftrag` command, run as operators run it."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import jwt
import pytest

from participation.accounts.models import Membership, Session, User
from participation.permissions import Role
from server.cli import main
from server.settings import Settings
from tests import factories
from tests.support import AUFTRAG, server_environment


async def _auftrag(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [str(AUFTRAG), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return server_environment(
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        AUFTRAG_VAR_DIR=str(tmp_path / "cli-var"),
    )


async def test_token_prints_one_bearer_token_and_nothing_else(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    town = await factories.municipality("kleinstadt")
    result = await _auftrag(
        "token",
        "--email",
        "Rat@Example.org",
        "--role",
        "council",
        "--municipality",
        "kleinstadt",
        "--verified",
        env=_env(settings, tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    claims = jwt.decode(token, settings.secret_key, algorithms=["HS256"])
    user = await User.get(email="rat@example.org")
    assert claims["sub"] == str(user.id) and claims["exp"] > claims["iat"]
    assert user.email_verified
    assert await Membership.filter(
        user_id=user.id, municipality_id=town.id, role=Role.COUNCIL
    ).exists()
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["roles"] == [{"municipality": "kleinstadt", "role": "council"}]


async def test_token_and_create_user_refuse_bad_input_clearly(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings, tmp_path)
    for args, mentioned in [
        (("token", "--email", "a@example.org", "--role", "council"), "municipality"),
        (("token", "--email", "kein-email"), "email"),
        (("create-user", "--email", "b@example.org", "--municipality", "nirgendwo"), "nirgendwo"),
    ]:
        result = await _auftrag(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2, result
        assert result.stdout == ""
        assert mentioned in result.stderr and "Traceback" not in result.stderr
    assert await User.all().count() == 0
    result = await _auftrag("token", "--role", "king", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "--email" in result.stderr


async def test_suspend_refuses_the_person_at_once_and_lift_lets_them_back(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings, tmp_path)
    token = (await _auftrag("token", "--email", "s@example.org", env=env, cwd=tmp_path)).stdout
    headers = {"Authorization": f"Bearer {token.strip()}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    result = await _auftrag("suspend", "S@example.org", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    assert (await User.get(email="s@example.org")).suspended_at is not None
    assert (
        await _auftrag("suspend", "s@example.org", "--lift", env=env, cwd=tmp_path)
    ).returncode == 0
    assert (await User.get(email="s@example.org")).suspended_at is None
    unknown = await _auftrag("suspend", "niemand@example.org", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "email" in unknown.stderr


async def test_create_user_makes_a_verified_member(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    await factories.municipality("kleinstadt")
    result = await _auftrag(
        "create-user",
        "--email",
        "mod@example.org",
        "--role",
        "moderator",
        "--municipality",
        "kleinstadt",
        "--display-name",
        "Moderation",
        env=_env(settings, tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    user = await User.get(email="mod@example.org")
    assert user.email_verified and user.display_name == "Moderation"


@pytest.mark.parametrize(
    "command", ["", "serve", "worker", "migrate", "demo", "token", "create-user"]
)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([c for c in (command, "--help") if c])
    assert exited.value.code == 0
    assert "usage: auftrag" in capsys.readouterr().out


async def test_migrate_creates_the_embedded_database_and_commands_need_it(tmp_path: Path) -> None:
    env = server_environment()
    result = await _auftrag("token", "--email", "a@example.org", env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert "auftrag migrate" in result.stderr and "Traceback" not in result.stderr
    for _ in range(2):
        result = await _auftrag("migrate", env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "auftrag.sqlite3").exists()
    assert (tmp_path / "var" / "secret_key").exists()
    result = await _auftrag("token", "--email", "a@example.org", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


async def test_an_unreachable_database_is_reported_not_raised(tmp_path: Path) -> None:
    env = server_environment(
        DATABASE_URL="postgres://postgres:geheim@127.0.0.1:1/x", SECRET_KEY="k" * 40
    )
    result = await _auftrag("token", "--email", "a@example.org", env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert "cannot reach the database" in result.stderr
    assert "geheim" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "variables", "message"),
    [
        (["serve", "--port", "99999"], {}, "99999 is not between 1 and 65535"),
        (["token", "--email", "a@example.org", "--hours", "-5"], {}, "-5 is not between"),
        (["migrate"], {"API_TOKEN_HOURS": "abc"}, "API_TOKEN_HOURS='abc' is not a number"),
        (["migrate"], {"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
    ],
)
async def test_bad_arguments_and_configuration_exit_2_with_a_message(
    args: list[str], variables: dict[str, str], message: str, tmp_path: Path
) -> None:
    env = server_environment(AUFTRAG_VAR_DIR=str(tmp_path / "var"), **variables)
    done = await _auftrag(*args, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


async def test_token_for_a_suspended_person_exits_2_and_prints_no_token(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings, tmp_path)
    town = await factories.municipality()
    assert (await _auftrag("token", "--email", "s@example.org", env=env, cwd=tmp_path)).stdout
    assert (await _auftrag("suspend", "s@example.org", env=env, cwd=tmp_path)).returncode == 0
    refused = await _auftrag(
        "token",
        "--email",
        "s@example.org",
        "--role",
        "council",
        "--municipality",
        town.slug,
        env=env,
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "suspended" in refused.stderr
    user = await User.get(email="s@example.org")
    assert not await Membership.filter(user_id=user.id, role=Role.COUNCIL).exists()
    assert not await Session.filter(user_id=user.id, revoked_at=None).exists()


async def test_token_with_a_municipality_declares_residence_there(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    town = await factories.municipality("kleinstadt")
    mandate = await factories.mandate(await factories.person(lives_in=town), town)
    env = _env(settings, tmp_path)
    result = await _auftrag(
        "token",
        "--email",
        "skript@example.org",
        "--municipality",
        "kleinstadt",
        "--district",
        "nord",
        "--verified",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    headers = {"Authorization": f"Bearer {result.stdout.strip()}"}
    residence = (await client.get("/api/v1/me/residence", headers=headers)).json()["residence"]
    assert (residence["municipality"], residence["district"]) == ("kleinstadt", "nord")
    signed = await client.post(f"/api/v1/mandates/{mandate.id}/signatures", headers=headers)
    assert signed.status_code == 201, signed.text
    unknown = await _auftrag(
        "token",
        "--email",
        "x@example.org",
        "--municipality",
        "kleinstadt",
        "--district",
        "atlantis",
        env=env,
        cwd=tmp_path,
    )
    assert unknown.returncode == 2 and "district" in unknown.stderr
    assert not await User.filter(email="x@example.org").exists()
