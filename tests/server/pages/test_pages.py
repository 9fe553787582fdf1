"""The HTML pages as a browser without JavaScript meets them: forms, CSRF, sign-in, language."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import MailboxMessage
from participation.accounts.models import PendingRole, User
from participation.actors import Actor
from participation.mandates import counter
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from server.auth import ACCESS_COOKIE, SESSION_COOKIE
from tests import factories
from tests.support import eventually

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# People signed in by email link have not said where they live; the forms offer it.
LIVES_HERE = {"residence_municipality": "musterdorf", "residence_confirm": "1"}


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


async def csrf(client: httpx.AsyncClient, path: str = "/sign-in") -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str, name: str = "") -> httpx.Response:
    """The whole email-link flow: request, read the dev mailbox, confirm."""
    token = await csrf(client)
    sent = await client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "display_name": name, "next": "/me/mandates"},
    )
    assert sent.status_code == 200
    assert "Sieh in dein Postfach" in sent.text

    # The link's mail, not another one to the same address (an invitation, say), which
    # may be there already while the link's is still on its way.
    links = MailboxMessage.filter(to=email, body__contains="/sign-in/link?token=")

    async def arrived() -> bool:
        return await links.exists()

    await eventually(arrived)
    mail = await links.order_by("-id").first()
    assert mail is not None
    link = re.search(r"https?://\S+/sign-in/link\?token=\S+", mail.body)
    assert link, mail.body
    link_token = parse_qs(urlsplit(link.group(0)).query)["token"][0]
    confirm = await client.get(f"/sign-in/link?token={link_token}")
    assert confirm.status_code == 200
    return await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": link_token}
    )


async def test_sign_in_by_email_link_sets_a_session_and_verifies_the_email(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    done = await sign_in(client, "neu@example.org", "Neue Person")
    assert done.status_code == 303
    # Without a passkey yet, the link offers one on the way to where the person was going.
    assert done.headers["location"] == "/account/security?next=%2Fme%2Fmandates"
    cookies = done.headers.get_list("set-cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {SESSION_COOKIE, ACCESS_COOKIE}
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    user = await User.get(email="neu@example.org")
    assert user.email_verified and user.display_name == "Neue Person"
    mine = await client.get("/me/mandates")
    assert mine.status_code == 200
    assert "Abmelden (Neue Person)" in mine.text


async def test_a_sign_in_link_works_once(client: httpx.AsyncClient, town: Municipality) -> None:
    await sign_in(client, "einmal@example.org")
    mail = await MailboxMessage.filter(to="einmal@example.org").first()
    assert mail is not None
    token = re.search(r"token=(\S+)", mail.body).group(1)  # type: ignore[union-attr]
    again = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": token}
    )
    assert again.status_code == 422
    assert "ungültig, schon benutzt oder abgelaufen" in again.text


async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await csrf(client)
    response = await client.post("/sign-in", data={"email": "x@example.org"})
    assert response.status_code == 422
    assert not await User.exists(email="x@example.org")
    forged = await client.post("/sign-in", data={"email": "x@example.org", "csrf_token": "nope"})
    assert forged.status_code == 422
    assert not await User.exists(email="x@example.org")


async def test_launch_form_shows_errors_next_to_the_fields_and_stores_nothing(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    token = await csrf(client, "/m/musterdorf/launch")
    response = await client.post(
        "/m/musterdorf/launch",
        data={
            "csrf_token": token,
            "title": "",
            "summary": "x" * 501,
            "body": "",
            "district": "atlantis",
            **LIVES_HERE,
        },
    )
    assert response.status_code == 422
    assert 'id="title-error">Der Titel darf nicht leer sein.' in response.text
    assert 'id="summary-error">Die Zusammenfassung darf höchstens 500 Zeichen' in response.text
    assert 'id="district-error">' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "x" * 501 in response.text, "what was typed is kept"
    assert await Mandate.all().count() == 0


async def test_launch_form_names_a_direction_override_next_to_the_title(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    token = await csrf(client, "/m/musterdorf/launch")
    response = await client.post(
        "/m/musterdorf/launch",
        data={
            "csrf_token": token,
            "title": "Harmlos\u202egpj.exe",
            "summary": "S",
            "body": "",
            **LIVES_HERE,
        },
    )
    assert response.status_code == 422
    assert 'id="title-error">Das muss eine einzige Zeile sein' in response.text
    assert await Mandate.all().count() == 0


async def test_launch_publish_sign_and_withdraw_through_forms(
    client: httpx.AsyncClient, app: Starlette, town: Municipality
) -> None:
    await sign_in(client, "anna@example.org", "Anna")
    token = await csrf(client, "/m/musterdorf/launch")
    launched = await client.post(
        "/m/musterdorf/launch",
        data={
            "csrf_token": token,
            "title": "Mehr Bänke",
            "summary": "Bänke im Park.",
            "body": "Bitte <script>alert(1)</script> [klick](javascript:alert(1))",
            "district": "nord",
            "topics": "Grün, Park",
            **LIVES_HERE,
        },
    )
    assert launched.status_code == 303
    url = launched.headers["location"]
    mandate_id = int(url.rsplit("/", 1)[1])
    page = await client.get(url)
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'href="javascript:' not in page.text

    published = await client.post(
        f"{url}/transition", data={"csrf_token": await csrf(client, url), "to": "collecting"}
    )
    assert published.status_code == 303
    assert (await Mandate.get(id=mandate_id)).status == Status.COLLECTING
    assert await counter.total(mandate_id) == 1

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as other:
        await sign_in(other, "ben@example.org", "Ben")
        signed = await other.post(
            f"{url}/sign", data={"csrf_token": await csrf(other, url), **LIVES_HERE}
        )
        assert signed.status_code == 303
        assert await counter.total(mandate_id) == 2
        page = await other.get(url)
        assert "Du hast diesen Auftrag mitgezeichnet." in page.text
        assert "<strong data-count>2</strong>" in page.text
        withdrawn = await other.post(
            f"{url}/withdraw-signature", data={"csrf_token": await csrf(other, url)}
        )
        assert withdrawn.status_code == 303
        assert await counter.total(mandate_id) == 1


async def test_acting_without_a_session_sends_people_to_sign_in(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town)
    token = await csrf(client, f"/mandates/{mandate.id}")
    response = await client.post(f"/mandates/{mandate.id}/sign", data={"csrf_token": token})
    assert response.status_code == 303
    # The intent goes along, for sign-in to do (tests/server/pages/test_intents.py).
    assert response.headers["location"] == f"/sign-in?next=/mandates/{mandate.id}%3Fintent%3Dsign"
    assert await counter.total(mandate.id) == 1


async def test_drafts_are_hidden_from_others(client: httpx.AsyncClient, town: Municipality) -> None:
    initiator: Actor = await factories.person()
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    assert (await client.get(f"/mandates/{draft.id}")).status_code == 404
    listing = await client.get("/m/musterdorf")
    assert draft.title not in listing.text


async def test_municipality_page_filters(client: httpx.AsyncClient, town: Municipality) -> None:
    initiator = await factories.person()
    await factories.mandate(initiator, town, title="Radweg Nord", district="nord", topics=["rad"])
    await factories.mandate(initiator, town, title="Bänke Süd", district="sued")
    everything = await client.get("/m/musterdorf")
    assert "Radweg Nord" in everything.text and "Bänke Süd" in everything.text
    north = await client.get("/m/musterdorf?district=nord")
    assert "Radweg Nord" in north.text and "Bänke Süd" not in north.text
    by_topic = await client.get("/m/musterdorf?topic=rad")
    assert "Radweg Nord" in by_topic.text and "Bänke Süd" not in by_topic.text
    searched = await client.get("/m/musterdorf?q=bänke")
    assert "Bänke Süd" in searched.text and "Radweg Nord" not in searched.text
    bad = await client.get("/m/musterdorf?status=nonsense")
    assert bad.status_code == 422


async def test_german_by_default_english_on_request(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    german = await client.get("/m/musterdorf")
    assert '<html lang="de">' in german.text and "Auftrag starten" in german.text
    english = await client.get("/m/musterdorf", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.text and "Launch a mandate" in english.text
    chosen = await client.get("/m/musterdorf?lang=en")
    assert "Launch a mandate" in chosen.text
    assert "lang=en" in chosen.headers["set-cookie"]
    remembered = await client.get("/m/musterdorf")
    assert "Launch a mandate" in remembered.text


async def test_dev_mailbox_exists_only_in_demo_or_debug(
    client: httpx.AsyncClient,
    app: Starlette,
    settings,
    town: Municipality,  # type: ignore[no-untyped-def]
) -> None:
    assert settings.debug
    assert (await client.get("/dev/mailbox")).status_code == 200
    from server.app import create_app

    production = create_app(settings.__class__(**{**settings.__dict__, "debug": False}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=production), base_url="http://testserver"
    ) as plain:
        assert (await plain.get("/dev/mailbox")).status_code == 404


async def test_the_dev_mailbox_never_shows_mail_to_people_of_a_real_municipality(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    """The page is open to anyone: a sign-in link to someone with a role, a residence or
    a waiting role in a real town must not be there; a demo visitor's own address is."""
    real = await factories.municipality("echtdorf", name="Echtdorf")
    demo_town = await factories.municipality("demo", name="Musterstadt")
    await factories.person(email="rat@echtdorf.de", role=Role.COUNCIL, municipality=real)
    await factories.person(email="wohnt@echtdorf.de", lives_in=real)
    await factories.person(email="gast@demo.example", lives_in=demo_town)
    await PendingRole.create(municipality_id=real.id, email="neu@echtdorf.de", role=Role.ADMIN)
    shown = ("gast@demo.example", "besucherin@gmail.example.net")
    hidden = ("rat@echtdorf.de", "wohnt@echtdorf.de", "neu@echtdorf.de")
    for to in (*shown, *hidden):
        await MailboxMessage.create(to=to, subject=f"Link für {to}", body="https://…")
    page = await client.get("/dev/mailbox")
    assert all(to in page.text for to in shown)
    assert not any(to in page.text for to in hidden)


async def test_without_smtp_outside_demo_the_sign_in_link_is_printed_not_lost(
    app: Starlette,
    settings,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    from server.app import create_app

    production = create_app(settings.__class__(**{**settings.__dict__, "debug": False}))
    async with (
        production.router.lifespan_context(production),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=production), base_url="http://testserver"
        ) as plain,
    ):
        token = await csrf(plain)
        sent = await plain.post(
            "/sign-in", data={"csrf_token": token, "email": "erste@rat.example"}
        )
        assert sent.status_code == 200

        async def printed() -> bool:
            return "/sign-in/link?token=" in capsys.readouterr().out

        await eventually(printed)
        assert not await MailboxMessage.filter(to="erste@rat.example").exists()


async def test_the_session_cookie_cannot_change_state_through_the_api(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town)
    await sign_in(client, "cookie@example.org")
    me = await client.get("/api/v1/me")
    assert me.status_code == 200, "reading with the cookie is fine"
    forged = await client.post(f"/api/v1/mandates/{mandate.id}/signatures")
    assert forged.status_code == 401
    assert await counter.total(mandate.id) == 1


async def test_error_messages_follow_the_page_language(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await csrf(client)
    german = await client.post("/sign-in", data={"csrf_token": await csrf(client), "email": "x"})
    assert "Gib eine gültige E-Mail-Adresse ein." in german.text
    english = await client.post(
        "/sign-in?lang=en", data={"csrf_token": await csrf(client), "email": "x"}
    )
    assert "Enter a valid email address." in english.text


async def test_the_council_sees_its_moves_and_citizens_do_not(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    from participation.permissions import Role

    initiator = await factories.person()
    council = await factories.person(email="rat@example.org", role=Role.COUNCIL, municipality=town)
    mandate = await factories.mandate(initiator, town, Status.SUBMITTED, council=council)
    anonymous = await client.get(f"/mandates/{mandate.id}")
    assert "Prüfung beginnen" not in anonymous.text
    await sign_in(client, "rat@example.org")
    page = await client.get(f"/mandates/{mandate.id}")
    assert 'value="in_review"' in page.text and "Prüfung beginnen" in page.text
    assert "Zur Mitzeichnung veröffentlichen" not in page.text
