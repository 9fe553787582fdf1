"""Passkey ceremonies against py_webauthn's real verification, with crafted answers.

Every refusal must leave the stored passkeys, counters and sessions as they were.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from webauthn.helpers import base64url_to_bytes, encode_cbor, parse_cbor

from participation import clock
from participation.accounts.identity import passkeys
from participation.accounts.models import Passkey, SecurityEvent, Session, User
from participation.actors import Actor
from participation.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.outbox.models import OutboxEvent
from tests import factories
from tests.factories import time_travel
from tests.factories.passkeys import RP, SoftAuthenticator, b64, ec_cose_key, rsa_cose_key
from tests.factories.passkeys import passkey as registered

pytestmark = pytest.mark.usefixtures("database")

CLIENT_DATA = "credential.response.clientDataJSON"


async def _stored() -> list[tuple[Any, ...]]:
    rows = (
        await Passkey.all()
        .order_by("id")
        .values_list("id", "user_id", "sign_count", "last_used_at", "backed_up", "name")
    )
    return [*rows, ("sessions", await Session.all().count())]


async def _refused(
    error: type[DomainError], field: str | None, attempt: Any, *, reason: str | None = None
) -> DomainError:
    """`attempt` raises `error` naming `field`, and nothing stored changes."""
    before = await _stored()
    with pytest.raises(error) as raised:
        await attempt
    if field is not None:
        assert [e.field for e in raised.value.errors] == [field]
    if reason is not None:
        assert reason in str(raised.value.extra.get("reason")), raised.value.extra
    assert await _stored() == before
    return raised.value


@pytest.fixture
async def anna() -> Actor:
    return await factories.person(email="anna@example.org", name="Anna")


async def _sign_in_options(binding: str = "browser-a") -> dict[str, Any]:
    return await passkeys.begin_authentication(RP, binding)


# -- what works --------------------------------------------------------------------------


async def test_registration_asks_for_a_discoverable_passkey_without_attestation(
    anna: Actor,
) -> None:
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    assert options["rp"] == {"id": "localhost", "name": "Auftrag"}
    assert options["user"]["name"] == "anna@example.org"
    assert options["user"]["displayName"] == "Anna"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["requireResidentKey"] is True
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert options["excludeCredentials"] == []
    assert options["timeout"] == 300_000


async def test_register_several_passkeys_and_sign_in_with_each(anna: Actor) -> None:
    laptop, laptop_key = await registered(anna, name="Laptop")
    phone, phone_key = await registered(anna, SoftAuthenticator(backed_up=True), name="")
    assert laptop.name == "Laptop"
    assert phone.name == "Passkey"  # no name given and no device to name it after
    assert phone.backed_up and not laptop.backed_up
    assert laptop.transports == ["internal", "hybrid"]

    options = await passkeys.begin_registration(anna, RP, "browser-a")
    assert {c["id"] for c in options["excludeCredentials"]} == {
        b64(laptop_key.credential_id),
        b64(phone_key.credential_id),
    }

    for key, stored in ((laptop_key, laptop), (phone_key, phone)):
        options = await _sign_in_options()
        assert options["allowCredentials"] == []
        assert options["userVerification"] == "preferred"
        answer = key.sign_in(options)
        assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id
        after = await Passkey.get(id=stored.id)
        assert after.sign_count == 1
        assert after.last_used_at is not None
    names = [e.name for e in await OutboxEvent.filter(name__startswith="accounts:passkey")]
    assert names == ["accounts:passkey:added", "accounts:passkey:added"]


async def test_the_default_name_comes_from_the_device(anna: Actor) -> None:
    binding = "browser-a"
    options = await passkeys.begin_registration(anna, RP, binding)
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
    stored = await passkeys.finish_registration(
        anna, RP, binding, SoftAuthenticator().register(options), "  ", chrome
    )
    assert stored.name == "Chrome on Linux"


async def test_authenticators_without_a_counter_keep_working(anna: Actor) -> None:
    stored, key = await registered(anna)
    for _ in range(2):
        answer = key.sign_in(await _sign_in_options(), counter=0)
        assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id
    assert (await Passkey.get(id=stored.id)).sign_count == 0


async def test_any_allowed_origin_is_accepted(anna: Actor) -> None:
    rp = passkeys.RelyingParty("localhost", "Auftrag", ("https://localhost", "http://localhost:81"))
    options = await passkeys.begin_registration(anna, rp, "b")
    key = SoftAuthenticator(origin="http://localhost:81")
    await passkeys.finish_registration(anna, rp, "b", key.register(options))
    answer = key.sign_in(await passkeys.begin_authentication(rp, "b"))
    assert await passkeys.finish_authentication(rp, "b", answer) == anna.user_id


# -- sign-ins that must be refused -------------------------------------------------------


async def test_a_replayed_assertion_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options())
    await passkeys.finish_authentication(RP, "browser-a", answer)
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", answer)
    )


async def test_a_used_challenge_is_refused_even_with_a_fresh_signature(anna: Actor) -> None:
    _, key = await registered(anna)
    options = await _sign_in_options()
    await passkeys.finish_authentication(RP, "browser-a", key.sign_in(options))
    again = key.sign_in(options)  # new counter, new signature, same challenge
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", again)
    )


async def test_an_expired_challenge_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options())
    with time_travel(clock.now() + timedelta(minutes=5, seconds=1)):
        await _refused(
            InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", answer)
        )
    # Just inside the five minutes the same answer still works.
    answer = key.sign_in(await _sign_in_options())
    with time_travel(clock.now() + timedelta(minutes=4, seconds=50)):
        assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id


async def test_a_challenge_issued_to_another_browser_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options("browser-a"))
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-b", answer)
    )
    await _refused(InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "", answer))
    # Answers from other browsers cannot use it up for the browser it was issued to.
    assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id


async def test_unknown_and_registration_challenges_do_not_sign_in(anna: Actor) -> None:
    _, key = await registered(anna)
    made_up = key.sign_in({"challenge": b64(secrets.token_bytes(32))})
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", made_up)
    )
    registration = await passkeys.begin_registration(anna, RP, "browser-a")
    wrong_purpose = key.sign_in(registration)
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", wrong_purpose)
    )


async def test_a_wrong_origin_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options(), origin="https://evil.example")
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", answer)
    )


async def test_a_ceremony_inside_another_site_s_frame_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    key.cross_origin = True
    answer = key.sign_in(await _sign_in_options())
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_authentication(RP, "browser-a", answer)
    )


async def test_a_wrong_rp_id_hash_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options(), rp_id="evil.example")
    await _refused(
        InvalidInput,
        "credential",
        passkeys.finish_authentication(RP, "browser-a", answer),
        reason="Unexpected RP ID hash",
    )


async def test_a_wrong_signature_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    impostor = SoftAuthenticator(credential_id=key.credential_id, user_handle=key.user_handle)
    forged = impostor.sign_in(await _sign_in_options(), counter=7)
    await _refused(
        InvalidInput,
        "credential",
        passkeys.finish_authentication(RP, "browser-a", forged),
        reason="Could not verify authentication signature",
    )
    assert not await SecurityEvent.exists()


async def test_an_unknown_credential_is_refused(anna: Actor) -> None:
    await registered(anna)
    stranger = SoftAuthenticator()
    stranger.user_handle = passkeys.user_handle(anna.user_id)
    answer = stranger.sign_in(await _sign_in_options())
    await _refused(
        InvalidInput, "credential.id", passkeys.finish_authentication(RP, "browser-a", answer)
    )


async def test_a_user_handle_of_another_account_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options(), user_handle=b"999999")
    await _refused(
        InvalidInput,
        "credential.response.userHandle",
        passkeys.finish_authentication(RP, "browser-a", answer),
    )


async def test_a_suspended_persons_passkey_is_refused(anna: Actor) -> None:
    _, key = await registered(anna)
    await User.filter(id=anna.user_id).update(suspended_at=clock.now())
    answer = key.sign_in(await _sign_in_options())
    await _refused(PermissionDenied, None, passkeys.finish_authentication(RP, "browser-a", answer))


async def test_a_deleted_persons_passkey_is_unknown(anna: Actor) -> None:
    _, key = await registered(anna)
    await User.filter(id=anna.user_id).delete()
    answer = key.sign_in(await _sign_in_options())
    await _refused(
        InvalidInput, "credential.id", passkeys.finish_authentication(RP, "browser-a", answer)
    )


@pytest.mark.parametrize(("stored", "presented"), [(5, 3), (5, 5), (5, 0)])
async def test_a_counter_that_does_not_increase_is_refused_and_recorded(
    anna: Actor, stored: int, presented: int
) -> None:
    passkey, key = await registered(anna)
    await Passkey.filter(id=passkey.id).update(sign_count=stored)
    answer = key.sign_in(await _sign_in_options(), counter=presented)
    await _refused(
        InvalidInput,
        "credential.response.authenticatorData",
        passkeys.finish_authentication(RP, "browser-a", answer),
    )
    event = await SecurityEvent.get(user_id=anna.user_id)
    assert event.kind == "passkey:possible_clone"
    assert event.data == {
        "passkey_id": passkey.id,
        "passkey_name": "Laptop",
        "stored_count": stored,
        "presented_count": presented,
    }
    # The genuine authenticator, further along, still signs in.
    onward = key.sign_in(await _sign_in_options(), counter=stored + 1)
    assert await passkeys.finish_authentication(RP, "browser-a", onward) == anna.user_id
    assert (await Passkey.get(id=passkey.id)).sign_count == stored + 1


# -- registrations that must be refused --------------------------------------------------


async def test_registration_checks_origin_rp_id_and_the_persons_own_challenge(
    anna: Actor,
) -> None:
    ben = await factories.person(name="Ben")
    key = SoftAuthenticator()
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    foreign = key.register(options, origin="https://evil.example")
    await _refused(
        InvalidInput,
        CLIENT_DATA,
        passkeys.finish_registration(anna, RP, "browser-a", foreign),
    )
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    wrong_rp = key.register(options, rp_id="evil.example")
    await _refused(
        InvalidInput,
        "credential",
        passkeys.finish_registration(anna, RP, "browser-a", wrong_rp),
        reason="Unexpected RP ID hash",
    )
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    answer = key.register(options)
    # Ben, in the same browser, cannot put Anna's ceremony on his account.
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_registration(ben, RP, "browser-a", answer)
    )
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_registration(anna, RP, "browser-b", answer)
    )
    await _refused(
        NotAuthenticated, None, passkeys.finish_registration(None, RP, "browser-a", answer)
    )
    with pytest.raises(NotAuthenticated):
        await passkeys.begin_registration(None, RP, "browser-a")
    assert not await Passkey.exists()


@pytest.mark.parametrize(
    ("cose_key", "reason"),
    [
        (ec_cose_key(1, 2), "not on the curve"),
        (rsa_cose_key(0), "n must be"),
        # Any odd 512-bit number will do: nothing at registration factors it.
        (rsa_cose_key((1 << 511) | 1), "512 bits"),
    ],
    ids=["ec-point-off-the-curve", "rsa-modulus-0", "rsa-512-bits"],
)
async def test_broken_or_weak_public_keys_are_refused_at_registration(
    anna: Actor, cose_key: bytes, reason: str
) -> None:
    key = SoftAuthenticator(cose_key=cose_key)
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    refusal = await _refused(
        InvalidInput,
        "credential",
        passkeys.finish_registration(anna, RP, "browser-a", key.register(options)),
        reason=reason,
    )
    assert refusal.detail in {
        "The passkey's public key is broken.",
        "The passkey's key is too weak. Use another passkey.",
    }
    assert not await Passkey.exists()


async def test_rsa_keys_below_2048_bits_are_refused_and_from_2048_bits_work(
    anna: Actor,
) -> None:
    weak = SoftAuthenticator(key=rsa.generate_private_key(65537, 1024))
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    await _refused(
        InvalidInput,
        "credential",
        passkeys.finish_registration(anna, RP, "browser-a", weak.register(options)),
        reason="1024 bits",
    )
    # So it cannot sign in either: the credential is unknown here.
    await _refused(
        InvalidInput,
        "credential.id",
        passkeys.finish_authentication(RP, "browser-a", weak.sign_in(await _sign_in_options())),
    )
    _, key = await registered(anna, SoftAuthenticator(key=rsa.generate_private_key(65537, 2048)))
    answer = key.sign_in(await _sign_in_options())
    assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id


async def test_a_registration_answer_counts_once(anna: Actor) -> None:
    _, key = await registered(anna)
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    again = key.register(options)
    await _refused(Conflict, None, passkeys.finish_registration(anna, RP, "browser-a", again))
    replay = key.register(options)
    await _refused(
        InvalidInput, CLIENT_DATA, passkeys.finish_registration(anna, RP, "browser-a", replay)
    )


async def test_registration_name_is_checked(anna: Actor) -> None:
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    answer = SoftAuthenticator().register(options)
    await _refused(
        InvalidInput, "name", passkeys.finish_registration(anna, RP, "browser-a", answer, "x" * 81)
    )


# -- malformed answers -------------------------------------------------------------------


def _without(answer: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(answer))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def _with(answer: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(answer))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


async def test_malformed_sign_in_answers_name_their_field(anna: Actor) -> None:
    _, key = await registered(anna)
    answer = key.sign_in(await _sign_in_options())
    not_json = b64(b"{not json")
    wrong_kind = b64(
        json.dumps({"type": "webauthn.create", "challenge": "x", "origin": "o"}).encode()
    )
    cases: list[tuple[Any, str]] = [
        ("a string", "credential"),
        (None, "credential"),
        (_without(answer, "id"), "credential.id"),
        (_with(answer, "AAAA", "id"), "credential.id"),
        (_with(answer, "not base64!", "rawId"), "credential.rawId"),
        (_with(answer, "A", "rawId"), "credential.rawId"),
        (_with(answer, "x" * 2000, "rawId"), "credential.rawId"),
        (_with(answer, "password", "type"), "credential.type"),
        (_with(answer, [], "response"), "credential.response"),
        (_without(answer, "response", "signature"), "credential.response.signature"),
        (
            _with(answer, 42, "response", "authenticatorData"),
            "credential.response.authenticatorData",
        ),
        (_with(answer, "é", "response", "clientDataJSON"), CLIENT_DATA),
        (_with(answer, not_json, "response", "clientDataJSON"), CLIENT_DATA),
        (_with(answer, b64(b"[]"), "response", "clientDataJSON"), CLIENT_DATA),
        (_with(answer, wrong_kind, "response", "clientDataJSON"), CLIENT_DATA),
        (_with(answer, "x" * 20_000, "response", "signature"), "credential.response.signature"),
        (_with(answer, "!!", "response", "userHandle"), "credential.response.userHandle"),
    ]
    for credential, field in cases:
        await _refused(
            InvalidInput, field, passkeys.finish_authentication(RP, "browser-a", credential)
        )
    # None of those used the challenge up: only well-formed answers reach it.
    assert await passkeys.finish_authentication(RP, "browser-a", answer) == anna.user_id

    # Well-formed, but what is inside makes no sense: the library's refusal.
    for part, value in (("authenticatorData", b"short"), ("signature", b"\x30\x00")):
        answer = _with(key.sign_in(await _sign_in_options()), b64(value), "response", part)
        await _refused(
            InvalidInput, "credential", passkeys.finish_authentication(RP, "browser-a", answer)
        )


async def test_malformed_registration_answers_name_their_field(anna: Actor) -> None:
    options = await passkeys.begin_registration(anna, RP, "browser-a")
    answer = SoftAuthenticator().register(options)
    attestation = "credential.response.attestationObject"
    cases: list[tuple[Any, str]] = [
        ([], "credential"),
        (_without(answer, "response", "attestationObject"), attestation),
        (_with(answer, "%%%", "response", "attestationObject"), attestation),
        (_with(answer, "internal", "response", "transports"), "credential.response.transports"),
        (_with(answer, b64(b"not cbor"), "response", "attestationObject"), "credential"),
    ]
    for credential, field in cases:
        await _refused(
            InvalidInput, field, passkeys.finish_registration(anna, RP, "browser-a", credential)
        )

    # A public key without its x coordinate: the library fails with a bare KeyError.
    key = SoftAuthenticator()
    answer = key.register(await passkeys.begin_registration(anna, RP, "browser-a"))
    attestation = parse_cbor(base64url_to_bytes(answer["response"]["attestationObject"]))
    whole_key = key._cose_key()
    no_x = encode_cbor({k: v for k, v in parse_cbor(whole_key).items() if k != -2})
    attestation["authData"] = attestation["authData"].removesuffix(whole_key) + no_x
    answer["response"]["attestationObject"] = b64(encode_cbor(attestation))
    await _refused(
        InvalidInput, "credential", passkeys.finish_registration(anna, RP, "browser-a", answer)
    )


# -- managing one's own ------------------------------------------------------------------


async def test_list_rename_and_remove_only_ones_own(anna: Actor) -> None:
    ben = await factories.person(name="Ben")
    laptop, _ = await registered(anna, name="Laptop")
    phone, _ = await registered(anna, name="Phone")
    bens, _ = await registered(ben, name="Bens Key")
    assert [p.name for p in await passkeys.list_passkeys(anna)] == ["Laptop", "Phone"]

    renamed = await passkeys.rename_passkey(anna, phone.id, "  Pixel   8 ")
    assert renamed.name == "Pixel 8"
    with pytest.raises(InvalidInput) as raised:
        await passkeys.rename_passkey(anna, phone.id, "   ")
    assert raised.value.errors[0].field == "name"
    with pytest.raises(NotFound):
        await passkeys.rename_passkey(anna, bens.id, "Mine now")
    with pytest.raises(NotFound):
        await passkeys.remove_passkey(anna, bens.id)
    await passkeys.remove_passkey(anna, laptop.id)
    with pytest.raises(NotFound):
        await passkeys.remove_passkey(anna, laptop.id)
    assert [p.name for p in await passkeys.list_passkeys(anna)] == ["Pixel 8"]
    assert [p.name for p in await passkeys.list_passkeys(ben)] == ["Bens Key"]
    with pytest.raises(NotAuthenticated):
        await passkeys.list_passkeys(None)
