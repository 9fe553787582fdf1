"""A co-sign pressed while signed out is carried through sign-in and done by it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from notifications.models import MailboxMessage
from participation.accounts.identity.commands import request_sign_in_link
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, has_consent
from participation.accounts.models import ResidenceDeclaration, User
from participation.mandates.actions import SIGN_MANDATE
from participation.mandates.models import Mandate, Signature, Status
from participation.municipalities.models import Municipality, VerificationLevel
from participation.municipalities.queries import forget_place
from participation.permissions import Level
from server.pages import intents
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
    page = await client.get(f"/sign-in?next={next_path}&lang=en")
    assert f"When you have signed in, you co-sign “{TITLE}”." in page.text
    sent = await client.post(
        "/sign-in",
        data={"csrf_token": await csrf(client), "email": email, "next": next_path},
    )
    assert sent.status_code == 200

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


async def test_the_emailed_link_leaves_the_box_and_the_declaration_to_her_own_click(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    """Anybody can write a link that carries a declaration and the email box: signing in
    writes neither, it lands on the form filled in as it was, and her click does it."""
    page = await client.get(f"/mandates/{mandate.id}?lang=en")
    # The signed-out form asks what a newcomer will be asked: where she lives, and email.
    assert "I live in Musterstadt" in page.text and "Also tell me by email" in page.text
    carried = {**LIVES_HERE, "residence_district": "nord", **BY_EMAIL}
    next_path = await press_co_sign(client, mandate, **carried)
    assert intents.pending(next_path) is not None
    token = await emailed_token(client, "nora@example.org", next_path)

    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert f"You asked to co-sign “{TITLE}” on the way." in confirm.text
    done = await client.post(
        "/sign-in/link",
        data={"csrf_token": await csrf(client), "token": token, "intent": "sign"},
    )
    assert done.status_code == 303
    nora = await User.get(email="nora@example.org")
    assert not await Signature.filter(mandate_id=mandate.id, user_id=nora.id).exists()
    assert not await has_consent(nora.id, EMAIL_NOTIFICATIONS)
    assert not await ResidenceDeclaration.exists(user_id=nora.id)
    # Without a passkey yet, the passkey offer comes first, then the mandate's form.
    offer = urlsplit(done.headers["location"])
    assert offer.path == "/account/security"
    target = parse_qs(offer.query)["next"][0]
    assert target.startswith(f"/mandates/{mandate.id}?intent=sign")
    landed = await client.get(target.split("#")[0] + "&lang=en")
    assert "You are signed in. Co-sign this mandate now?" in landed.text
    signed = await client.post(
        f"/mandates/{mandate.id}/sign",
        data={"csrf_token": await csrf(client, f"/mandates/{mandate.id}"), **carried},
    )
    assert signed.status_code == 303
    assert await Signature.filter(mandate_id=mandate.id, user_id=nora.id).exists()
    assert await has_consent(nora.id, EMAIL_NOTIFICATIONS)
    declared = await ResidenceDeclaration.get(user_id=nora.id).prefetch_related("district")
    assert declared.district.slug == "nord"


async def test_only_signing_in_leaves_the_mandate_unsigned(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    next_path = await press_co_sign(client, mandate, **LIVES_HERE)
    token = await emailed_token(client, "otto@example.org", next_path)
    done = await client.post(
        "/sign-in/link", data={"csrf_token": await csrf(client), "token": token}
    )
    otto = await User.get(email="otto@example.org")
    assert not await Signature.filter(user_id=otto.id).exists()
    target = parse_qs(urlsplit(done.headers["location"]).query)["next"][0]
    assert target == f"/mandates/{mandate.id}"


async def test_a_missing_declaration_ends_on_the_mandate_asking_for_it(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    # Ticked "also by email" but not "I live in Musterstadt" (a browser without validation).
    next_path = await press_co_sign(
        client, mandate, residence_municipality="musterstadt", **BY_EMAIL
    )
    token = await emailed_token(client, "ria@example.org", next_path)
    done = await client.post(
        "/sign-in/link",
        data={"csrf_token": await csrf(client), "token": token, "intent": "sign"},
    )
    ria = await User.get(email="ria@example.org")
    assert not await Signature.filter(user_id=ria.id).exists()
    target = parse_qs(urlsplit(done.headers["location"]).query)["next"][0]
    assert target.startswith(f"/mandates/{mandate.id}?intent=sign")
    again = await client.get(target.split("#")[0] + "&lang=en")
    assert again.status_code == 200
    assert "You are signed in. Co-sign this mandate now?" in again.text
    assert 'name="residence_confirm"' in again.text
    # The "also by email" box is still ticked, as she left it.
    assert re.search(r'name="email_notifications" value="yes" checked', again.text)
    # One click, and it is done.
    signed = await client.post(
        f"/mandates/{mandate.id}/sign",
        data={"csrf_token": await csrf(client, target), **LIVES_HERE, **BY_EMAIL},
    )
    assert signed.status_code == 303
    assert await Signature.filter(user_id=ria.id, mandate_id=mandate.id).exists()


async def test_a_verified_residence_gap_explains_instead_of_failing(
    client: httpx.AsyncClient, town: Municipality
) -> None:
    await VerificationLevel.create(
        municipality_id=town.id, action=str(SIGN_MANDATE), level=Level.RESIDENT
    )
    forget_place(town.id)
    mandate = await factories.mandate(await factories.person(lives_in=town), town, title=TITLE)
    next_path = await press_co_sign(client, mandate)
    token = await emailed_token(client, "vera@example.org", next_path)
    done = await client.post(
        "/sign-in/link",
        data={"csrf_token": await csrf(client), "token": token, "intent": "sign"},
    )
    target = parse_qs(urlsplit(done.headers["location"]).query)["next"][0]
    landed = await client.get(target.split("#")[0] + "&lang=en")
    assert landed.status_code == 200
    assert "Co-signing here needs proof that you live in Musterstadt" in landed.text
    assert "Co-sign this mandate</button>" not in landed.text
    assert not await Signature.filter(user_id=(await User.get(email="vera@example.org")).id)


async def test_a_mandate_closed_meanwhile_just_leads_to_it(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    next_path = await press_co_sign(client, mandate, **LIVES_HERE)
    token = await emailed_token(client, "kai@example.org", next_path)
    await Mandate.filter(id=mandate.id).update(status=Status.WITHDRAWN)
    done = await client.post(
        "/sign-in/link",
        data={"csrf_token": await csrf(client), "token": token, "intent": "sign"},
    )
    assert done.status_code == 303
    target = parse_qs(urlsplit(done.headers["location"]).query)["next"][0]
    assert (await client.get(target.split("#")[0])).status_code == 200


async def test_the_passkey_sign_in_co_signs(
    client: httpx.AsyncClient, app: Starlette, town: Municipality, mandate: Mandate
) -> None:
    paula = await factories.person(email="paula@example.org", lives_in=town)
    key = SoftAuthenticator()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as own:
        await browse_as(own, app.state.settings, paula)
        assert (await _add_passkey(own, key)).status_code == 201

    # As a browser posts the form with the box left empty: the wording's version only.
    next_path = await press_co_sign(client, mandate, **{f"{EMAIL_NOTIFICATIONS}_version": "1"})
    page = await client.get(f"/sign-in?next={next_path}&lang=en")
    assert f"When you have signed in, you co-sign “{TITLE}”." in page.text
    post = poster(client)
    options = await post("/passkeys/sign-in/options")
    done = await post(
        "/passkeys/sign-in", {"credential": key.sign_in(options.json()), "next": next_path}
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"next": f"/mandates/{mandate.id}?signed=1#signatures"}
    assert await Signature.filter(user_id=paula.user_id, mandate_id=mandate.id).exists()
    landed = await client.get(f"/mandates/{mandate.id}?signed=1&lang=en")
    assert "You co-signed this mandate. Thank you!" in landed.text


async def test_a_link_someone_else_requested_says_what_it_would_do(
    client: httpx.AsyncClient, mandate: Mandate
) -> None:
    _, token = await request_sign_in_link(
        "opfer@example.org", next_path=f"/mandates/{mandate.id}?intent=sign"
    )
    confirm = await client.get(f"/sign-in/link?token={token}&lang=en")
    assert "Only sign in" in confirm.text and TITLE in confirm.text


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
