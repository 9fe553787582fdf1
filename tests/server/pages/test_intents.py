"""A co-sign pressed while signed out is carried through sign-in and done by it: the
emailed link's confirmation or the passkey ceremony co-signs, with what she ticked."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import MailboxMessage
from participation.accounts.identity.commands import request_sign_in_link
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, TOPICS, has_consent
from participation.accounts.models import ResidenceDeclaration, User
from participation.mandates import commands
from participation.mandates.actions import SIGN_MANDATE
from participation.mandates.models import Mandate, Signature, Status
from participation.municipalities.models import Municipality, VerificationLevel
from participation.municipalities.queries import forget_place
from participation.permissions import Level
from server.pages import intents
from server.settings import Settings
from tests import factories
from tests.factories import votes as vote_factories
from tests.factories.passkeys import SoftAuthenticator
from tests.server.pages.test_pages import csrf
from tests.server.pages.test_passkeys import _add_passkey, poster
from tests.server.pages.test_residence import browse_as
from tests.support import eventually

TITLE = "Mehr Bänke am Marktplatz"


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterstadt", name="Musterstadt")


@pytest.fixture
async def mandate(town: Municipality) -> Mandate:
    return await factories.mandate(await factories.person(lives_in=town), town, title=TITLE)


async def press_co_sign(client: httpx.AsyncClient, mandate: Mandate, **fields: str) -> str:
    """Press the signed-out co-sign button; the sign-in page's `next`."""
    page = await client.get(f"/mandates/{mandate.id}?lang=en")
    assert "You will be asked to sign in first. Signing in co-signs." in page.text
    token = await csrf(client, f"/mandates/{mandate.id}")
    pressed = await client.post(
        f"/mandates/{mandate.id}/sign", data={"csrf_token": token, **fields}
    )
    assert pressed.status_code == 303
    location = pressed.headers["location"]
    assert location.startswith("/sign-in?next=")
    assert (
        not await Signature.filter(mandate_id=mandate.id)
        .exclude(user_id=mandate.initiator_id)
        .exists()
    )
    return unquote(location.removeprefix("/sign-in?next="))


async def emailed_token(client: httpx.AsyncClient, email: str, next_path: str) -> str:
    """Ask for the link on the sign-in page as the form does; the token it carries."""
    page = await client.get(f"/sign-in?next={quote(next_path)}&lang=en")
    assert f"When you have signed in, you co-sign “{TITLE}”." in page.text
    sent = await client.post(
        "/sign-in?lang=en",
        data={"csrf_token": await csrf(client), "email": email, "next": next_path},
    )
    assert sent.status_code == 200
    assert f"Once you have signed in with the link, you co-sign “{TITLE}”." in sent.text

    async def arrived() -> bool:
        return await MailboxMessage.filter(to=email).exists()

    await eventually(arrived)
    mail = await MailboxMessage.filter(to=email).order_by("-id").first()
    assert mail is not None
    link = re.search(r"https?://\S+/sign-in/link\?token=\S+", mail.body)
    assert link, mail.body
    return parse_qs(urlsplit(link.group(0)).query)["token"][0]


LIVES_HERE = {"residence_municipality": "musterstadt", "residence_confirm": "1"}
BY_EMAIL = {EMAIL_NOTIFICATIONS: "yes", f"{EMAIL_NOTIFICATIONS}_version": "1"}
WORDING = TOPICS[EMAIL_NOTIFICATIONS].wording("en")
COUNT = re.compile(r'id="live-count">\s*<p class="count"><strong data-count>(\d+)</strong>')


def shown_count(page: httpx.Response) -> int:
    found = COUNT.search(page.text)
    assert found, page.text
    return int(found[1])


async def redeem(client: httpx.AsyncClient, token: str, **intent: str) -> str:
    """Press a button of the link's confirmation; where she lands past the passkey offer."""
    done = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": token, **intent}
    )
    assert done.status_code == 303
    location = urlsplit(done.headers["location"])
    if location.path == "/account/security":
        return parse_qs(location.query)["next"][0]
    return done.headers["location"]


async def landed(client: httpx.AsyncClient, target: str) -> httpx.Response:
    path, _, _ = target.partition("#")
    page = await client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert page.status_code == 200
    return page


async def signatures(mandate: Mandate, email: str) -> int:
    user = await User.get(email=email)
    return await Signature.filter(mandate_id=mandate.id, user_id=user.id).count()


async def test_the_emailed_link_co_signs_with_what_she_ticked(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    """A newcomer ticked where she lives and email: the pages on the way say all that
    signing in will do, the link's confirmation does it, and the mandate confirms it."""
    page = await client.get(f"/mandates/{mandate.id}?lang=en")
    # The signed-out form asks what a newcomer will be asked: where she lives, and email.
    assert "I live in Musterstadt" in page.text and "Also tell me by email" in page.text
    before = shown_count(page)
    carried = {**LIVES_HERE, "residence_district": "nord", **BY_EMAIL}
    next_path = await press_co_sign(client, mandate, **carried)
    sign_in = await client.get(f"/sign-in?next={quote(next_path)}&lang=en")
    # Who signs in is not known yet: the statement is hedged.
    assert (
        "If you have not yet said where you live, you state that you live in "
        "Musterstadt, district Nord." in sign_in.text
    )
    assert html.escape(WORDING, quote=False) in sign_in.text
    token = await emailed_token(client, "nora@example.org", next_path)

    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert f"You asked to co-sign “{TITLE}” on the way." in confirm.text
    assert "You state that you live in Musterstadt, district Nord." in confirm.text
    assert "You agree to emails:" in confirm.text
    assert html.escape(WORDING, quote=False) in confirm.text
    assert "Sign in and co-sign</button>" in confirm.text and "Only sign in" in confirm.text
    nora = await User.get(email="nora@example.org")
    assert not await Signature.filter(user_id=nora.id).exists()  # no GET writes

    target = await redeem(client, token, intent="sign")
    assert target == f"/mandates/{mandate.id}?signed=1#signatures"
    assert await signatures(mandate, "nora@example.org") == 1
    assert await has_consent(nora.id, EMAIL_NOTIFICATIONS)
    declared = await ResidenceDeclaration.get(user_id=nora.id).prefetch_related("district")
    assert declared.district.slug == "nord"
    done = await landed(client, target)
    assert "You co-signed this mandate. Thank you!" in done.text
    assert "You have co-signed this mandate." in done.text
    assert shown_count(done) == before + 1
    assert 'id="intent-prompt"' not in done.text


async def test_a_declaration_she_made_before_stays(
    client: httpx.AsyncClient, town: Municipality, mandate: Mandate
) -> None:
    """She said where she lives before: the carried statement is not made, nor announced."""
    await factories.person(email="dora@example.org", lives_in=town, district="sued")
    next_path = await press_co_sign(client, mandate, **LIVES_HERE, residence_district="nord")
    token = await emailed_token(client, "dora@example.org", next_path)
    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert "you live in" not in confirm.text
    target = await redeem(client, token, intent="sign")
    assert target == f"/mandates/{mandate.id}?signed=1#signatures"
    assert await signatures(mandate, "dora@example.org") == 1
    dora = await User.get(email="dora@example.org")
    declared = await ResidenceDeclaration.get(user_id=dora.id).prefetch_related("district")
    assert declared.district.slug == "sued"


async def test_only_signing_in_leaves_the_mandate_unsigned(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    next_path = await press_co_sign(client, mandate, **LIVES_HERE, **BY_EMAIL)
    token = await emailed_token(client, "otto@example.org", next_path)
    target = await redeem(client, token)
    assert target == f"/mandates/{mandate.id}"
    otto = await User.get(email="otto@example.org")
    assert not await Signature.filter(user_id=otto.id).exists()
    assert not await ResidenceDeclaration.exists(user_id=otto.id)
    assert not await has_consent(otto.id, EMAIL_NOTIFICATIONS)


async def test_a_link_someone_else_requested_says_what_it_would_do(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    """Anybody can ask for a link to any address with any `next`: its confirmation says
    what it would do, and "Only sign in" does none of it."""
    forged = f"/mandates/{mandate.id}?" + urlencode(
        {"intent": "sign", **LIVES_HERE, "residence_district": "mitte", **BY_EMAIL}
    )
    _, token = await request_sign_in_link("opfer@example.org", next_path=forged)
    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert f"You asked to co-sign “{TITLE}” on the way." in confirm.text
    assert "You state that you live in Musterstadt, district Mitte." in confirm.text
    assert html.escape(WORDING, quote=False) in confirm.text
    assert "Only sign in" in confirm.text
    target = await redeem(client, token)
    assert target == f"/mandates/{mandate.id}"
    victim = await User.get(email="opfer@example.org")
    assert not await Signature.filter(user_id=victim.id).exists()
    assert not await ResidenceDeclaration.exists(user_id=victim.id)
    assert not await has_consent(victim.id, EMAIL_NOTIFICATIONS)


async def test_a_declaration_for_another_town_is_not_made(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    """The intent's statement counts only for the mandate's own town."""
    await factories.municipality("anderswo", name="Anderswo")
    forged = f"/mandates/{mandate.id}?" + urlencode(
        {"intent": "sign", "residence_municipality": "anderswo", "residence_confirm": "1"}
    )
    _, token = await request_sign_in_link("fern@example.org", next_path=forged)
    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert "you live in" not in confirm.text
    target = await redeem(client, token, intent="sign")
    fern = await User.get(email="fern@example.org")
    assert not await ResidenceDeclaration.exists(user_id=fern.id)
    assert not await Signature.filter(user_id=fern.id).exists()
    # She lacks a declaration here: the mandate's page asks for it.
    page = await landed(client, target)
    assert "You are signed in. Co-sign this mandate now?" in page.text
    assert 'id="signature-residence_confirm"' in page.text


async def test_the_sent_page_tells_nothing_of_the_address_typed(
    client: httpx.AsyncClient, town: Municipality, mandate: Mandate
) -> None:
    """Anybody may type any address: the "check your email" page reads the same whether
    its owner has declared a residence or agreed to emails or not."""
    await factories.person(email="lives@example.org", lives_in=town)
    next_path = await press_co_sign(client, mandate, **LIVES_HERE, **BY_EMAIL)
    texts = []
    for email in ("lives@example.org", "nobody@example.org"):
        sent = await client.post(
            "/sign-in?lang=en",
            data={"csrf_token": await csrf(client), "email": email, "next": next_path},
        )
        texts.append(sent.text.replace(email, "ADDRESS"))
    assert texts[0] == texts[1]


async def test_a_link_ticks_no_box_for_someone_signed_in(
    client: httpx.AsyncClient, settings: Settings, town: Municipality, mandate: Mandate
) -> None:
    """A made-up address with the intent's fields fills in the choices, never the ticks."""
    person = await factories.person(email="sina@example.org", lives_in=None)
    await browse_as(client, settings, person)
    page = await client.get(
        f"/mandates/{mandate.id}?"
        + urlencode({"intent": "sign", **LIVES_HERE, "residence_district": "nord", **BY_EMAIL})
    )
    assert re.search(r'<option value="nord" selected>', page.text)
    assert not re.search(r'id="signature-residence_confirm"[^>]* checked', page.text)
    assert not re.search(r'name="email_notifications" value="yes" checked', page.text)


async def test_a_statement_not_confirmed_ends_on_the_form_as_it_was(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    # Ticked "also by email" but not "I live in Musterstadt" (a browser without validation).
    next_path = await press_co_sign(
        client, mandate, residence_municipality="musterstadt", residence_district="nord", **BY_EMAIL
    )
    token = await emailed_token(client, "ria@example.org", next_path)
    target = await redeem(client, token, intent="sign")
    ria = await User.get(email="ria@example.org")
    assert not await Signature.filter(user_id=ria.id).exists()
    assert not await ResidenceDeclaration.exists(user_id=ria.id)
    assert not await has_consent(ria.id, EMAIL_NOTIFICATIONS)
    assert target.startswith(f"/mandates/{mandate.id}?intent=sign")
    again = await landed(client, target)
    assert "You are signed in. Co-sign this mandate now?" in again.text
    assert re.search(r'<input type="checkbox" id="signature-residence_confirm"[^>]*>', again.text)
    assert not re.search(r'id="signature-residence_confirm"[^>]* checked', again.text)
    assert re.search(r'<option value="nord" selected>', again.text)
    # The page's address ticks no box: a link anyone can make is not her consent.
    assert re.search(r'name="email_notifications" value="yes"', again.text)
    assert not re.search(r'name="email_notifications" value="yes" checked', again.text)
    # One click, and it is done.
    signed = await client.post(
        f"/mandates/{mandate.id}/sign",
        data={"csrf_token": await csrf(client, target), **LIVES_HERE, **BY_EMAIL},
    )
    assert signed.status_code == 303
    assert await Signature.filter(user_id=ria.id, mandate_id=mandate.id).exists()


async def test_signed_already_says_so(
    client: httpx.AsyncClient, town: Municipality, mandate: Mandate
) -> None:
    sven = await factories.person(email="sven@example.org", lives_in=town)
    next_path = await press_co_sign(client, mandate, **LIVES_HERE)
    # Signed on another device while the link was on its way.
    await commands.sign_mandate(sven, mandate.id)
    token = await emailed_token(client, "sven@example.org", next_path)
    target = await redeem(client, token, intent="sign")
    assert target == f"/mandates/{mandate.id}#signatures"
    assert await signatures(mandate, "sven@example.org") == 1
    page = await landed(client, target)
    assert "You have co-signed this mandate." in page.text
    assert "Thank you!" not in page.text and 'id="intent-prompt"' not in page.text


async def test_a_verified_residence_gap_explains_instead_of_failing(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await VerificationLevel.create(
        municipality_id=town.id, action=str(SIGN_MANDATE), level=Level.RESIDENT
    )
    forget_place(town.id)
    mandate = await factories.mandate(await factories.person(lives_in=town), town, title=TITLE)
    next_path = await press_co_sign(client, mandate, **LIVES_HERE)
    token = await emailed_token(client, "vera@example.org", next_path)
    target = await redeem(client, token, intent="sign")
    vera = await User.get(email="vera@example.org")
    assert not await Signature.filter(user_id=vera.id).exists()
    # A statement would not help: none is made.
    assert not await ResidenceDeclaration.exists(user_id=vera.id)
    page = await landed(client, target)
    assert "You are signed in, but the mandate was not co-signed yet." in page.text
    assert "Co-signing here needs proof that you live in Musterstadt" in page.text
    assert "Co-sign this mandate</button>" not in page.text


async def test_a_mandate_closed_meanwhile_explains_it(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    next_path = await press_co_sign(client, mandate, **LIVES_HERE, **BY_EMAIL)
    token = await emailed_token(client, "kai@example.org", next_path)
    await Mandate.filter(id=mandate.id).update(status=Status.WITHDRAWN)
    target = await redeem(client, token, intent="sign")
    kai = await User.get(email="kai@example.org")
    assert not await Signature.filter(user_id=kai.id).exists()
    assert not await ResidenceDeclaration.exists(user_id=kai.id)
    assert not await has_consent(kai.id, EMAIL_NOTIFICATIONS)
    page = await landed(client, target)
    assert (
        "You are signed in, but this mandate no longer collects signatures: it was not co-signed."
        in page.text
    )


async def passkey_holder(
    app: Starlette, email: str, town: Municipality | None
) -> SoftAuthenticator:
    person = await factories.person(email=email, lives_in=town)
    key = SoftAuthenticator()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as own:
        await browse_as(own, app.state.settings, person)
        assert (await _add_passkey(own, key)).status_code == 201
    return key


async def sign_in_by_passkey(
    client: httpx.AsyncClient, key: SoftAuthenticator, next_path: str
) -> httpx.Response:
    post = poster(client)
    options = await post("/passkeys/sign-in/options")
    return await post(
        "/passkeys/sign-in", {"credential": key.sign_in(options.json()), "next": next_path}
    )


async def test_the_passkey_sign_in_co_signs(
    client: httpx.AsyncClient, app: Starlette, town: Municipality, mandate: Mandate
) -> None:
    key = await passkey_holder(app, "paula@example.org", town)
    # As a browser posts the form with the box left empty: the wording's version only.
    next_path = await press_co_sign(client, mandate, **{f"{EMAIL_NOTIFICATIONS}_version": "1"})
    page = await client.get(f"/sign-in?next={quote(next_path)}&lang=en")
    assert f"When you have signed in, you co-sign “{TITLE}”." in page.text
    assert "You agree to emails" not in page.text
    done = await sign_in_by_passkey(client, key, next_path)
    assert done.status_code == 200, done.text
    assert done.json() == {"next": f"/mandates/{mandate.id}?signed=1#signatures"}
    assert await signatures(mandate, "paula@example.org") == 1
    assert not await has_consent(
        (await User.get(email="paula@example.org")).id, EMAIL_NOTIFICATIONS
    )
    landed_on = await landed(client, done.json()["next"])
    assert "You co-signed this mandate. Thank you!" in landed_on.text


async def test_the_passkey_sign_in_declares_and_co_signs(
    client: httpx.AsyncClient, app: Starlette, mandate: Mandate
) -> None:
    """A passkey holder who never said where she lives ticked it, and email, signed out."""
    key = await passkey_holder(app, "pia@example.org", None)
    carried = {**LIVES_HERE, "residence_district": "mitte", **BY_EMAIL}
    next_path = await press_co_sign(client, mandate, **carried)
    done = await sign_in_by_passkey(client, key, next_path)
    assert done.status_code == 200, done.text
    assert done.json() == {"next": f"/mandates/{mandate.id}?signed=1#signatures"}
    pia = await User.get(email="pia@example.org")
    assert await signatures(mandate, "pia@example.org") == 1
    assert await has_consent(pia.id, EMAIL_NOTIFICATIONS)
    declared = await ResidenceDeclaration.get(user_id=pia.id).prefetch_related("district")
    assert declared.district.slug == "mitte"


async def test_a_passkey_sign_in_refused_for_proof_explains_it(
    client: httpx.AsyncClient, app: Starlette, town: Municipality
) -> None:
    await VerificationLevel.create(
        municipality_id=town.id, action=str(SIGN_MANDATE), level=Level.RESIDENT
    )
    forget_place(town.id)
    mandate = await factories.mandate(await factories.person(lives_in=town), town, title=TITLE)
    key = await passkey_holder(app, "pius@example.org", town)
    next_path = await press_co_sign(client, mandate)
    done = await sign_in_by_passkey(client, key, next_path)
    assert done.status_code == 200, done.text
    assert done.json()["next"].startswith(f"/mandates/{mandate.id}?intent=sign")
    assert await signatures(mandate, "pius@example.org") == 0
    page = await landed(client, done.json()["next"])
    assert "Co-signing here needs proof that you live in Musterstadt" in page.text


def test_intents_keep_only_the_sign_forms_fields() -> None:
    intent = intents.pending("/mandates/7?intent=sign&residence_confirm=1&to=accepted&x=1")
    assert intent is not None and intent.mandate_id == 7
    assert intent.fields == {"residence_confirm": "1"}
    assert intents.pending("/mandates/7") is None
    assert intents.pending("/mandates/7/transition?intent=sign") is None
    assert intents.pending("/votes/7?intent=sign") is None
    assert intents.without_intent("/mandates/7?intent=sign") == "/mandates/7"
    assert intents.without_intent("/me/mandates") == "/me/mandates"


async def test_a_signed_out_vote_leads_through_sign_in_to_the_ballot(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town)
    entry = await client.get(f"/votes/{vote.id}/ballot")
    assert entry.status_code == 303
    assert entry.headers["location"] == f"/sign-in?next=/votes/{vote.id}/ballot"
    _, token = await request_sign_in_link("vic@example.org", next_path=f"/votes/{vote.id}/ballot")
    done = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": token}
    )
    target = parse_qs(urlsplit(done.headers["location"]).query)["next"][0]
    assert target == f"/votes/{vote.id}/ballot"
    # She has not said where she lives: the ballot sends her to the vote's page, which asks.
    ballot = await client.get(target)
    assert ballot.status_code == 303
    assert ballot.headers["location"] == f"/votes/{vote.id}#taking-part"
    vote_page = await client.get(f"/votes/{vote.id}?lang=en")
    assert 'name="residence_confirm"' in vote_page.text
