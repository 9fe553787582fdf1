"""Administrators see their municipality's jobs that failed for good, retry one with the
same arguments or discard it; the operator does the same on the command line."""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from notifications import deadletters
from notifications.models import DeadLetter, MailboxMessage
from participation.accounts.identity.sessions import BROWSER, start_session
from participation.errors import Conflict, NotFound, PermissionDenied
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories
from tests.support import AUFTRAG, server_environment

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Recorded:
    """A job queue that keeps what it was given."""

    def __init__(self) -> None:
        self.enqueued: list[tuple[str, dict[str, Any]]] = []

    async def enqueue(self, name: str, **kwargs: Any) -> None:
        self.enqueued.append((name, kwargs))


async def _letter(municipality: Municipality | None, **kwargs: Any) -> DeadLetter:
    return await deadletters.record(
        "send_email",
        kwargs or {"to": "a@example.org"},
        "Traceback …\nSMTPServerDisconnected: Connection lost",
        5,
        municipality.id if municipality else None,
    )


@pytest.mark.usefixtures("database")
async def test_an_administrator_lists_retries_and_discards_her_municipalitys_jobs() -> None:
    town = await factories.municipality("musterdorf")
    other = await factories.municipality("anderswo")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    mine = await _letter(town, to="b@example.org", municipality_id=town.id)
    theirs = await _letter(other)
    await _letter(None)

    assert [letter.id for letter in await deadletters.list_dead_letters(admin, "musterdorf")] == [
        mine.id
    ]
    jobs = Recorded()
    retried = await deadletters.retry_dead_letter(admin, "musterdorf", mine.id, jobs)
    assert retried.retried_at is not None
    assert jobs.enqueued == [("send_email", {"to": "b@example.org", "municipality_id": town.id})]
    event = await OutboxEvent.get(name=deadletters.RETRIED)
    assert (event.subject_id, event.actor_id) == (mine.id, admin.user_id)
    with pytest.raises(Conflict):
        await deadletters.retry_dead_letter(admin, "musterdorf", mine.id, jobs)
    assert len(jobs.enqueued) == 1

    with pytest.raises(NotFound):
        await deadletters.retry_dead_letter(admin, "musterdorf", theirs.id, jobs)
    with pytest.raises(NotFound):
        await deadletters.discard_dead_letter(admin, "musterdorf", theirs.id)
    await deadletters.discard_dead_letter(admin, "musterdorf", mine.id)
    assert not await DeadLetter.exists(id=mine.id)
    assert await DeadLetter.exists(id=theirs.id)
    assert await OutboxEvent.exists(name=deadletters.DISCARDED, subject_id=mine.id)


@pytest.mark.usefixtures("database")
async def test_nobody_but_an_administrator_of_the_municipality_may() -> None:
    town = await factories.municipality("musterdorf")
    other = await factories.municipality("anderswo")
    letter = await _letter(town)
    council = await factories.council_member(town)
    elsewhere = await factories.person(role=Role.ADMIN, municipality=other)
    for actor in (council, elsewhere):
        with pytest.raises(PermissionDenied):
            await deadletters.list_dead_letters(actor, "musterdorf")
        with pytest.raises(PermissionDenied):
            await deadletters.retry_dead_letter(actor, "musterdorf", letter.id, Recorded())
        with pytest.raises(PermissionDenied):
            await deadletters.discard_dead_letter(actor, "musterdorf", letter.id)
    await letter.refresh_from_db()
    assert letter.retried_at is None


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def test_the_page_retries_a_failed_mail_which_then_arrives(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    town = await factories.municipality("musterdorf", name="Musterdorf")
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    letter = await deadletters.record(
        "send_email",
        {
            "to": "rat@example.org",
            "subject": "Erinnerung",
            "text": "Hallo",
            "html": None,
            "municipality_id": town.id,
        },
        "SMTPServerDisconnected: Connection lost",
        5,
        town.id,
    )
    await _browse_as(client, settings, admin.user_id)
    admin_page = await client.get("/m/musterdorf/admin")
    assert 'href="/m/musterdorf/admin/jobs"' in admin_page.text
    page = await client.get("/m/musterdorf/admin/jobs")
    assert page.status_code == 200
    assert "send_email" in page.text and "SMTPServerDisconnected" in page.text
    # The arguments' names only: a mail's text may hold a link for its recipient alone.
    assert "Hallo" not in page.text
    token = CSRF.search(page.text)
    assert token

    retried = await client.post(
        "/m/musterdorf/admin/jobs/retry",
        data={"csrf_token": token.group(1), "dead_letter_id": str(letter.id)},
    )
    assert retried.status_code == 303
    await app.state.jobs.close()
    assert await MailboxMessage.exists(to="rat@example.org", subject="Erinnerung")
    again = await client.post(
        "/m/musterdorf/admin/jobs/retry",
        data={"csrf_token": token.group(1), "dead_letter_id": str(letter.id)},
    )
    assert again.status_code == 409

    discarded = await client.post(
        "/m/musterdorf/admin/jobs/discard",
        data={"csrf_token": token.group(1), "dead_letter_id": str(letter.id)},
    )
    assert discarded.status_code == 303
    assert (
        "Keine Hintergrundaufgabe ist endgültig fehlgeschlagen."
        in (await client.get("/m/musterdorf/admin/jobs")).text
    )
    unknown = await client.post(
        "/m/musterdorf/admin/jobs/discard",
        data={"csrf_token": token.group(1), "dead_letter_id": "nonsense"},
    )
    assert unknown.status_code == 404


async def test_a_citizen_may_not_see_the_page(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    town = await factories.municipality("musterdorf")
    await _letter(town)
    citizen = await factories.person()
    assert (await client.get("/m/musterdorf/admin/jobs")).status_code == 303
    await _browse_as(client, settings, citizen.user_id)
    refused = await client.get("/m/musterdorf/admin/jobs")
    assert refused.status_code == 403
    assert "SMTPServerDisconnected" not in refused.text


async def _auftrag(*args: str, settings: Settings, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = server_environment(
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        AUFTRAG_VAR_DIR=str(cwd / "cli-var"),
        # A retried email lands in the dev mailbox, which debug mode keeps without SMTP.
        AUFTRAG_DEBUG="1",
    )
    return await asyncio.to_thread(
        subprocess.run,
        [str(AUFTRAG), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_operator_lists_and_retries_jobs_of_no_municipality(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    town = await factories.municipality("musterdorf")
    await _letter(town)
    letter = await deadletters.record(
        "send_email",
        {"to": "op@example.org", "subject": "Anmelden", "text": "Link", "html": None},
        "SMTPServerDisconnected: Connection lost",
        5,
    )
    listed = await _auftrag("dead-letters", settings=settings, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{letter.id}\tsend_email\t")
    assert "op@example.org" in lines[0] and "SMTPServerDisconnected" in lines[0]
    everything = await _auftrag("dead-letters", "--all", settings=settings, cwd=tmp_path)
    assert len(everything.stdout.splitlines()) == 2

    retried = await _auftrag(
        "dead-letters", "--retry", str(letter.id), settings=settings, cwd=tmp_path
    )
    assert retried.returncode == 0, retried.stderr
    assert await MailboxMessage.exists(to="op@example.org", subject="Anmelden")
    await letter.refresh_from_db()
    assert letter.retried_at is not None
    missing = await _auftrag("dead-letters", "--retry", "999999", settings=settings, cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such failed job" in missing.stderr
