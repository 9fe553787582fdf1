"""Export and erasure: a full copy without secrets, and a deletion that changes no count."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from notifications.mail import DevMailbox, Mail
from participation import clock
from participation import privacy as registry
from participation.accounts import privacy
from participation.accounts.authorization import roles
from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.commands import request_sign_in_link
from participation.accounts.identity.consent import (
    EMAIL_NOTIFICATIONS,
    grant_consent,
    withdraw_consent,
)
from participation.accounts.models import (
    Consent,
    Membership,
    Passkey,
    Residency,
    RoleChange,
    SecurityEvent,
    Session,
    SignInToken,
    User,
    WebAuthnChallenge,
)
from participation.accounts.residency import verification as residency
from participation.actors import Actor
from participation.errors import Conflict, InvalidInput, NotAuthenticated
from participation.mandates import commands, counter
from participation.mandates.models import Mandate, Signature, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.sql import is_postgres, run
from participation.timeline.queries import entries
from tests import factories
from tests.factories.accounts import signed_in

pytestmark = pytest.mark.usefixtures("database")

EMAIL = "vera.vergessen@example.org"
NAME = "Vera Vergessen"


@pytest.fixture
async def town() -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=4)


@pytest.fixture
async def admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town, name="Amt")


@pytest.fixture
async def vera(town: Municipality, admin: Actor) -> Actor:
    """A resident with a role, a passkey, consents, a security event and a used sign-in link."""
    person = await factories.person(email=EMAIL, name=NAME)
    await residency.verify_resident(admin, town.slug, EMAIL, district="nord")
    await roles.grant_role(admin, town.slug, EMAIL, "moderator")
    await Passkey.create(
        user_id=person.user_id,
        credential_id="credential-id-of-vera",
        public_key="public-key-of-vera",
        name="Veras Laptop",
        backed_up=True,
        last_used_at=clock.now(),
    )
    await WebAuthnChallenge.create(
        challenge="challenge-of-vera",
        purpose="register",
        binding_hash="b" * 64,
        user_id=person.user_id,
        expires_at=clock.now() + timedelta(minutes=5),
    )
    await SecurityEvent.create(
        user_id=person.user_id, kind="passkey:counter_went_back", data={"passkey": "Veras Laptop"}
    )
    await request_sign_in_link(EMAIL)
    await DevMailbox().send(Mail(to=EMAIL, subject="Anmelden", text=f"Hallo {NAME}"))
    actor = await signed_in(person.user_id)
    await grant_consent(actor, EMAIL_NOTIFICATIONS, "1")
    return actor


async def _everything(conn: BaseDBAsyncClient) -> str:
    """Every row of every table as text, to search for what must be gone."""
    if is_postgres(conn):
        sql = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    text = []
    for table in await run(conn, sql):
        for row in await run(conn, f'SELECT * FROM "{table["name"]}"'):
            text.append(repr(row))
    return "\n".join(text)


async def _snapshot(mandate_ids: list[int]) -> dict[str, Any]:
    """What the public sees of these mandates: counts, status, timeline; and signature rows."""
    mandates = {m.id: m for m in await Mandate.filter(id__in=mandate_ids)}
    return {
        "tallies": await counter.tallies(mandate_ids),
        "status": {i: mandates[i].status for i in mandate_ids},
        "milestone": {i: mandates[i].milestone for i in mandate_ids},
        "timeline": {
            i: [(e["id"], e["kind"], e["data"], e["created_at"]) for e in await entries(i)]
            for i in mandate_ids
        },
        "signatures": await Signature.filter(mandate_id__in=mandate_ids).count(),
    }


async def test_the_export_holds_every_kind_of_data_and_no_secret(
    vera: Actor, town: Municipality
) -> None:
    initiator = await factories.person()
    other = await factories.mandate(initiator, town, title="Mehr Bänke am Markt")
    await commands.sign_mandate(vera, other.id)
    own = await factories.mandate(vera, town, Status.DRAFT, title="Veras Entwurf")

    document = await privacy.export_account(vera)
    text = json.dumps(document)

    assert document["profile"]["email"] == EMAIL
    assert document["profile"]["display_name"] == NAME
    assert document["profile"]["email_verified"] is True
    assert [(r["municipality"], r["role"]) for r in document["roles"]] == [
        ("musterdorf", "moderator")
    ]
    assert [(c["role"], c["granted"]) for c in document["role_changes"]] == [("moderator", True)]
    assert document["residencies"] == [
        {
            "municipality": "musterdorf",
            "district": "nord",
            "source": "admin",
            "verified_at": document["residencies"][0]["verified_at"],
        }
    ]
    assert {s["device"] for s in document["sessions"]} == {"tests"}
    assert len(document["sessions"]) == 2  # the fixture's person() and signed_in()
    assert document["passkeys"][0]["name"] == "Veras Laptop"
    assert document["passkeys"][0]["backed_up"] is True
    assert document["passkeys"][0]["last_used_at"]
    consent = document["consents"][0]
    assert (consent["topic"], consent["granted"], consent["wording_version"]) == (
        EMAIL_NOTIFICATIONS,
        True,
        "1",
    )
    assert consent["wording"].startswith("Ich möchte E-Mails") and consent["at"]
    assert document["security_events"][0]["kind"] == "passkey:counter_went_back"
    link = document["sign_in_links"][0]
    assert set(link) == {"requested_at", "expires_at", "used_at"}
    assert [(m["title"], m["status"]) for m in document["mandates"]] == [("Veras Entwurf", "draft")]
    assert [(s["mandate_id"], s["title"], s["resident"]) for s in document["signatures"]] == [
        (other.id, "Mehr Bänke am Markt", True)
    ]
    assert [(e["mandate_id"], e["kind"]) for e in document["timeline_entries"]] == [
        (own.id, "launched")
    ]

    secrets = [s.secret_hash for s in await Session.filter(user_id=vera.user_id)]
    secrets += [t.token_hash for t in await SignInToken.filter(user_id=vera.user_id)]
    secrets += ["public-key-of-vera", "credential-id-of-vera", "challenge-of-vera"]
    for secret in secrets:
        assert secret not in text
    assert "secret" not in text and "hash" not in text


async def test_an_area_adds_its_own_section(vera: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    async def votes(user_id: int) -> list[dict[str, Any]]:
        return [{"vote_id": 7, "took_part_at": clock.now(), "by": user_id}]

    monkeypatch.setitem(registry.exporters(), "votes", votes)
    document = await privacy.export_account(vera)
    assert document["votes"] == [
        {"vote_id": 7, "took_part_at": document["votes"][0]["took_part_at"], "by": vera.user_id}
    ]
    assert isinstance(document["votes"][0]["took_part_at"], str)
    with pytest.raises(ValueError, match="taken"):
        registry.register_exporter("profile", votes)


async def test_deletion_leaves_counts_quorum_and_timeline_as_they_were(
    vera: Actor, town: Municipality, admin: Actor
) -> None:
    initiator = await factories.person(name="Ines Initiatorin")
    neighbour = await factories.person(email="nachbar@example.org")
    await residency.verify_resident(admin, town.slug, "nachbar@example.org")
    resident = await signed_in(neighbour.user_id)
    submitted = await factories.mandate(initiator, town, title="Spielplatz")
    collecting = await factories.mandate(initiator, town, title="Radweg")
    own = await factories.mandate(vera, town, title="Veras Auftrag")
    draft = await factories.mandate(vera, town, Status.DRAFT, title="Veras Entwurf")
    for mandate in (submitted, collecting):
        await commands.sign_mandate(vera, mandate.id)
    await commands.sign_mandate(resident, own.id)
    await factories.sign_until_quorum(submitted.id)
    assert (await Mandate.get(id=submitted.id)).status == Status.SUBMITTED
    ids = [submitted.id, collecting.id, own.id]
    before = await _snapshot(ids)
    assert before["tallies"][submitted.id][1] == 1  # Vera's resident signature
    assert before["tallies"][collecting.id] == (2, 1)
    assert before["tallies"][own.id] == (2, 2)  # Vera as initiator, and her neighbour
    actor_names = {e["actor"]["display_name"] for e in await entries(own.id) if e["actor"]}
    assert actor_names == {NAME}

    assert EMAIL in (await _everything(connections.get("default"))).lower()

    await privacy.delete_account(vera, f"  {EMAIL.upper()} ")

    after = await _snapshot(ids)
    assert after == before
    assert all(e["actor"] is None for e in await entries(own.id))
    assert (await Mandate.get(id=own.id)).initiator_id is None
    assert not await Mandate.exists(id=draft.id)
    assert not await User.exists(id=vera.user_id)
    assert await load_actor(vera.user_id, vera.session_id) is None
    for model in (Session, Passkey, WebAuthnChallenge, Membership, Residency, Consent):
        assert not await model.exists(user_id=vera.user_id), model
    assert not await SecurityEvent.exists(user_id=vera.user_id)
    assert not await SignInToken.exists(user_id=vera.user_id)
    everything = await _everything(connections.get("default"))
    assert EMAIL not in everything.lower()
    assert NAME not in everything
    # The audit log keeps that the role ended, no longer for whom.
    ended = await RoleChange.filter(granted=False).values_list("role", "subject_id")
    assert list(ended) == [(Role.MODERATOR, None)]
    event = await OutboxEvent.filter(name="accounts:user:deleted").get()
    assert event.payload == {"user_id": vera.user_id}


async def test_the_outbox_forgets_her_events_and_her_as_actor(
    vera: Actor, town: Municipality
) -> None:
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    await commands.sign_mandate(vera, mandate.id)
    assert await OutboxEvent.exists(subject_type="user", subject_id=vera.user_id)
    await privacy.delete_account(vera, EMAIL)
    about_her = OutboxEvent.filter(subject_type="user", subject_id=vera.user_id)
    assert await about_her.values_list("name", flat=True) == ["accounts:user:deleted"]
    assert not await OutboxEvent.exists(actor_id=vera.user_id)
    # Her signature still counts, as an event of nobody.
    assert await OutboxEvent.exists(name="mandates:signature:created", subject_id=mandate.id)


async def test_a_wrong_confirmation_deletes_nothing(vera: Actor) -> None:
    with pytest.raises(InvalidInput) as raised:
        await privacy.delete_account(vera, "someone.else@example.org")
    assert [e.field for e in raised.value.errors] == ["confirm_email"]
    assert await User.exists(id=vera.user_id)
    assert await load_actor(vera.user_id, vera.session_id) is not None
    with pytest.raises(NotAuthenticated):
        await privacy.delete_account(None, EMAIL)


async def test_deletion_is_one_transaction_with_the_areas_erasers(
    vera: Actor, town: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = await factories.mandate(vera, town, Status.DRAFT)
    seen: list[int] = []

    async def failing(conn: BaseDBAsyncClient, user: User) -> None:
        seen.append(user.id)
        raise RuntimeError("the votes area could not clean up")

    monkeypatch.setitem(registry.erasers(), "votes:test", failing)
    with pytest.raises(RuntimeError):
        await privacy.delete_account(vera, EMAIL)
    assert seen == [vera.user_id]
    assert await Mandate.exists(id=draft.id)
    assert await User.exists(id=vera.user_id)
    assert await Passkey.exists(user_id=vera.user_id)
    assert not await OutboxEvent.exists(name="accounts:user:deleted")


async def test_the_only_administrator_must_hand_over_first(
    admin: Actor, town: Municipality
) -> None:
    user = await User.get(id=admin.user_id)
    with pytest.raises(Conflict) as raised:
        await privacy.delete_account(admin, user.email)
    assert "only administrator of Musterdorf" in raised.value.detail
    assert await User.exists(id=admin.user_id)
    successor = await factories.person(email="nachfolge@example.org")
    await roles.grant_role(admin, town.slug, "nachfolge@example.org", "admin")
    await privacy.delete_account(admin, user.email)
    assert not await User.exists(id=admin.user_id)
    assert await load_actor(successor.user_id) is not None


async def test_consents_withdrawn_before_deletion_go_with_the_account(vera: Actor) -> None:
    await withdraw_consent(vera, EMAIL_NOTIFICATIONS)
    assert await Consent.filter(user_id=vera.user_id).count() == 2
    await privacy.delete_account(vera, EMAIL)
    assert await Consent.all().count() == 0
