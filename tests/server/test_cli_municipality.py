"""`auftrag operator` and `auftrag municipality create`, in process, as operators run them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from notifications.models import MailboxMessage
from participation.accounts.authorization.operators import grant_operator
from participation.accounts.models import Membership, PendingRole, User
from participation.errors import InvalidInput, PermissionDenied
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.cli import build_parser, create_municipality_as_operator
from server.settings import Settings
from tests.server.test_cli import _auftrag, _env
from tests.support import make_settings


def _create(*args: str) -> object:
    return build_parser().parse_args(["municipality", "create", *args])


@pytest.fixture
def cli_settings(database_url: str, tmp_path: Path) -> Settings:
    """Debug mode: without SMTP the invitation lands in the dev mailbox, to be read here."""
    return make_settings(database_url, tmp_path / "var", base_url="https://auftrag.example")


@pytest.mark.usefixtures("database")
async def test_an_operator_founds_two_municipalities_with_their_first_administrators(
    cli_settings: Settings,
) -> None:
    await grant_operator("betrieb@example.org")
    await User.create(email="chefin@musterstadt.de", display_name="Chefin")
    said = await create_municipality_as_operator(
        _create(  # type: ignore[arg-type]
            "musterstadt",
            "--name",
            "Musterstadt",
            "--state",
            "BY",
            "--official-key",
            "09162000",
            "--admin",
            "chefin@musterstadt.de",
            "--as",
            "betrieb@example.org",
        ),
        cli_settings,
    )
    assert "musterstadt" in said and "is its administrator" in said
    said = await create_municipality_as_operator(
        _create(  # type: ignore[arg-type]
            "bad-beispiel",
            "--name",
            "Bad Beispiel",
            "--state",
            "HE",
            "--official-key",
            "06412000",
            "--population",
            "5400",
            "--admin",
            "neu@bad-beispiel.de",
            "--as",
            "betrieb@example.org",
        ),
        cli_settings,
    )
    assert "at the first sign-in; the invitation email is handed to the mail jobs" in said
    invitation = await MailboxMessage.get(to="neu@bad-beispiel.de")
    assert "Bad Beispiel" in invitation.subject
    assert "Das Betriebsteam von Auftrag unter auftrag.example hat dich eingeladen" in (
        invitation.body
    )
    assert "https://auftrag.example/sign-in?next=%2Fm%2Fbad-beispiel" in invitation.body
    # Who has an account already holds the role at once, as through the API: no email.
    assert not await MailboxMessage.exists(to="chefin@musterstadt.de")
    rows = {m.slug: m for m in await Municipality.all()}
    assert {slug: m.name for slug, m in rows.items()} == {
        "musterstadt": "Musterstadt",
        "bad-beispiel": "Bad Beispiel",
    }
    assert rows["bad-beispiel"].official_key == "06412000"
    assert rows["bad-beispiel"].population == 5400
    chefin = await User.get(email="chefin@musterstadt.de")
    assert await Membership.filter(
        user_id=chefin.id, municipality_id=rows["musterstadt"].id, role=Role.ADMIN
    ).exists()
    pending = await PendingRole.get(email="neu@bad-beispiel.de")
    assert pending.municipality_id == rows["bad-beispiel"].id and pending.role == Role.ADMIN


@pytest.mark.usefixtures("database")
async def test_without_the_operator_role_nothing_is_founded(cli_settings: Settings) -> None:
    await User.create(email="jemand@example.org", display_name="Jemand")
    for who in ("jemand@example.org", "niemand@example.org"):
        with pytest.raises(PermissionDenied):
            await create_municipality_as_operator(
                _create(  # type: ignore[arg-type]
                    "musterstadt",
                    "--name",
                    "Musterstadt",
                    "--state",
                    "BY",
                    "--official-key",
                    "09162000",
                    "--as",
                    who,
                ),
                cli_settings,
            )
    assert not await Municipality.exists()


@pytest.mark.usefixtures("database")
async def test_bad_input_names_the_fields_and_a_bad_admin_founds_nothing(
    cli_settings: Settings,
) -> None:
    await grant_operator("betrieb@example.org")
    with pytest.raises(InvalidInput) as raised:
        await create_municipality_as_operator(
            _create(  # type: ignore[arg-type]
                "Muster_Stadt",
                "--name",
                "Musterstadt",
                "--state",
                "BY",
                "--official-key",
                "05162000",
                "--as",
                "betrieb@example.org",
            ),
            cli_settings,
        )
    assert {e.field for e in raised.value.errors} == {"slug", "official_key"}
    with pytest.raises(InvalidInput) as raised:
        await create_municipality_as_operator(
            _create(  # type: ignore[arg-type]
                "musterstadt",
                "--name",
                "Musterstadt",
                "--state",
                "BY",
                "--official-key",
                "09162000",
                "--admin",
                "kaputt",
                "--as",
                "betrieb@example.org",
            ),
            cli_settings,
        )
    assert {e.field for e in raised.value.errors} == {"admin_email"}
    assert not await Municipality.exists()


async def test_the_commands_as_operators_type_them(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings, tmp_path)
    create = ["municipality", "create", "kleinstadt", "--name", "Kleinstadt", "--state", "SN"]
    create += ["--official-key", "14522000", "--as", "ops@example.org"]
    refused = await _auftrag(*create, env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "operator" in refused.stderr
    granted = await _auftrag("operator", "grant", "ops@example.org", env=env, cwd=tmp_path)
    assert granted.returncode == 0, granted.stderr
    done = await _auftrag(*create, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "/m/kleinstadt" in done.stderr
    again = await _auftrag(*create, env=env, cwd=tmp_path)
    assert again.returncode == 2 and "SLUG: " in again.stderr
    # Its messages name the command's own options, not the API's fields.
    bad = ["municipality", "create", "zweitstadt", "--name", "Zweitstadt", "--state", "SN"]
    bad += ["--official-key", "09162000", "--admin", "kaputt", "--as", "ops@example.org"]
    refused = await _auftrag(*bad, env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--official-key: " in refused.stderr
    assert "--admin: " in refused.stderr  # every bad option at once
    assert "official_key" not in refused.stderr
    fixed = [*bad[:7], "--official-key", "14522001", *bad[9:]]
    refused = await _auftrag(*fixed, env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--admin: " in refused.stderr, refused.stderr
    assert (await Municipality.get(slug="kleinstadt")).official_key == "14522000"
