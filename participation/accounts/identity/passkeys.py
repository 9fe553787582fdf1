"""Passkeys: registering one, signing in with one, and managing one's own.

py_webauthn verifies each ceremony (challenge, origin, RP ID hash, signature); this
module keeps the state around it: single-use challenges bound to the browser that
asked, the stored credentials, their signature counters, and what a refusal records.
Credentials are discoverable, so signing in needs no name first and the browser can
offer passkeys in the email field's autofill (conditional UI) with the same options.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from tortoise.exceptions import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    options_to_json_dict,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from participation import clock, single_line, unit
from participation.accounts.identity import challenges, credentials
from participation.accounts.identity.sessions import describe_device
from participation.accounts.models import Passkey, SecurityEvent, User
from participation.actors import Actor
from participation.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from participation.messages import Message

NAME_MAX = 80
POSSIBLE_CLONE = "passkey:possible_clone"
TIMEOUT_MS = int(challenges.LIFETIME.total_seconds() * 1000)
# py_webauthn raises its own errors for what it checks, but a mangled key or statement
# can surface as a plain lookup or type error from deeper down: all of them are refusals.
REFUSALS = (WebAuthnException, ValueError, LookupError, TypeError, ArithmeticError)
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
RSA_MIN_BITS = 2048


@dataclass(frozen=True)
class RelyingParty:
    """This site as WebAuthn knows it (settings RP_ID and ORIGIN)."""

    id: str
    name: str
    origins: tuple[str, ...]


def user_handle(user_id: int) -> bytes:
    """The account's handle inside its passkeys: opaque, stable, no personal data."""
    return str(user_id).encode()


def _signed_in(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    return actor


def _check_origin(rp: RelyingParty, client_data: credentials.ClientData) -> None:
    if client_data.origin not in rp.origins:
        raise InvalidInput.on(
            "credential.response.clientDataJSON",
            Message("This passkey answer comes from another website."),
        )


def _refused(
    exc: Exception, message: str = Message("The passkey's answer could not be verified.")
) -> InvalidInput:
    """The library's refusal as a domain error; its reason helps whoever debugs a client."""
    return InvalidInput(message, [FieldError("credential", message)], reason=str(exc))


def check_public_key(cose_key: bytes) -> None:
    """Load the key as a sign-in would, so a broken or weak one is refused, never stored.

    With attestation "none" nothing at registration uses the key: an EC point off its
    curve or an RSA modulus of 0 would be stored as it came, and a short RSA key would
    sign in. Raises InvalidInput on `credential`, shaped as the other refusals.
    """
    try:
        key = decoded_public_key_to_cryptography(decode_credential_public_key(cose_key))
    except REFUSALS as exc:
        raise _refused(exc, Message("The passkey's public key is broken.")) from None
    if isinstance(key, RSAPublicKey) and key.key_size < RSA_MIN_BITS:
        reason = ValueError(f"RSA key of {key.key_size} bits, fewer than {RSA_MIN_BITS}")
        raise _refused(reason, Message("The passkey's key is too weak. Use another passkey."))


def clean_name(name: str | None, default: str) -> str:
    """A passkey's name as people read it in their list; raises InvalidInput on `name`."""
    single_line.check("name", name or "")
    text = " ".join((name or "").split())
    if len(text) > NAME_MAX:
        raise InvalidInput.on(
            "name", Message("The name must be at most %(max)s characters.", max=NAME_MAX)
        )
    return text or default[:NAME_MAX]


# -- registration ------------------------------------------------------------------------


async def begin_registration(actor: Actor | None, rp: RelyingParty, binding: str) -> dict:
    """Options for `navigator.credentials.create()`, excluding the person's own passkeys.

    Raises NotAuthenticated without a signed-in actor.
    """
    actor = _signed_in(actor)
    user = await User.get(id=actor.user_id)
    existing = await Passkey.filter(user_id=user.id).values_list("credential_id", "transports")
    challenge = await challenges.issue(challenges.REGISTER, binding, user.id)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user_handle(user.id),
        user_display_name=user.display_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(credential_id),
                transports=[AuthenticatorTransport(t) for t in transports],
            )
            for credential_id, transports in existing
        ],
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json_dict(options)


async def finish_registration(
    actor: Actor | None,
    rp: RelyingParty,
    binding: str,
    credential: object,
    name: str | None = None,
    user_agent: str = "",
) -> Passkey:
    """Store the new passkey of the signed-in person; its name defaults to the device's.

    Raises NotAuthenticated; InvalidInput naming the field for a malformed answer, a
    challenge that is unknown, used, expired or another browser's or person's, a foreign
    origin, whatever py_webauthn refuses (RP ID hash, signature, attestation) and a
    public key that is broken or RSA under 2048 bits; Conflict when the passkey is
    already registered. Nothing is stored on refusal.
    """
    actor = _signed_in(actor)
    label = clean_name(name, describe_device(user_agent) if user_agent else "Passkey")
    answer = credentials.read_registration(credential)
    _check_origin(rp, answer.client_data)
    challenge = answer.client_data.challenge
    await challenges.claim(challenge, challenges.REGISTER, binding, actor.user_id)
    try:
        verified = verify_registration_response(
            credential=answer.credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            supported_pub_key_algs=ALGORITHMS,
        )
    except REFUSALS as exc:
        raise _refused(exc) from None
    check_public_key(verified.credential_public_key)
    try:
        async with unit.atomic() as u:
            passkey = await Passkey.create(
                user_id=actor.user_id,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=bytes_to_base64url(verified.credential_public_key),
                sign_count=verified.sign_count,
                transports=answer.transports,
                name=label,
                backed_up=verified.credential_backed_up,
                using_db=u.conn,
            )
            await _record(u, "accounts:passkey:added", actor.user_id, passkey.id)
    except IntegrityError:
        raise Conflict(Message("This passkey is already registered.")) from None
    return passkey


# -- signing in --------------------------------------------------------------------------


async def begin_authentication(rp: RelyingParty, binding: str) -> dict:
    """Options for `navigator.credentials.get()`: no allowed list, any passkey of this site."""
    challenge = await challenges.issue(challenges.SIGN_IN, binding)
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=[],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json_dict(options)


async def finish_authentication(rp: RelyingParty, binding: str, credential: object) -> int:
    """Check a sign-in with a passkey; returns the id of the person it proves.

    Raises InvalidInput naming the field for a malformed answer, a challenge that is
    unknown, used (a replay), expired or another browser's, a foreign origin, an unknown
    credential, a user handle of another account, and whatever py_webauthn refuses (RP
    ID hash, signature); PermissionDenied for a suspended account. A signature counter
    that did not increase past a non-zero one means the key may have been copied: that
    is refused and recorded as a security event, which stays even though the sign-in
    fails. Call it outside a transaction so that record is committed on its own.
    """
    answer = credentials.read_assertion(credential)
    _check_origin(rp, answer.client_data)
    challenge = answer.client_data.challenge
    await challenges.claim(challenge, challenges.SIGN_IN, binding)
    passkey = await Passkey.get_or_none(credential_id=answer.credential.id)
    if passkey is None:
        raise InvalidInput.on(
            "credential.id",
            Message("This passkey is not registered here. Sign in with an email link and add it."),
        )
    try:
        verified = verify_authentication_response(
            credential=answer.credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=base64url_to_bytes(passkey.public_key),
            # The counter is checked below, after the signature, so that only a genuine
            # signature with a stale counter is recorded as a possible clone.
            credential_current_sign_count=0,
        )
    except REFUSALS as exc:
        raise _refused(exc) from None
    if answer.user_handle is not None and answer.user_handle != user_handle(passkey.user_id):
        raise InvalidInput.on(
            "credential.response.userHandle", Message("This passkey belongs to another account.")
        )
    counter = verified.new_sign_count
    if (counter or passkey.sign_count) and counter <= passkey.sign_count:
        await _possible_clone(passkey, counter)
    if await User.filter(id=passkey.user_id, suspended_at=None).count() == 0:
        raise PermissionDenied(Message("This account is suspended."))
    query = Passkey.filter(id=passkey.id)
    if counter:
        # Conditional, so two answers carrying the same counter cannot both pass.
        query = query.filter(sign_count__lt=counter)
    updated = await query.update(
        sign_count=counter, backed_up=verified.credential_backed_up, last_used_at=clock.now()
    )
    if not updated:
        await _possible_clone(passkey, counter)
    return passkey.user_id


async def _possible_clone(passkey: Passkey, counter: int) -> None:
    """Record the warning in its own transaction, then refuse."""
    async with unit.atomic() as u:
        await SecurityEvent.create(
            user_id=passkey.user_id,
            kind=POSSIBLE_CLONE,
            data={
                "passkey_id": passkey.id,
                "passkey_name": passkey.name,
                "stored_count": passkey.sign_count,
                "presented_count": counter,
            },
            using_db=u.conn,
        )
    raise InvalidInput.on(
        "credential.response.authenticatorData",
        Message(
            "This passkey's signature counter went backwards, so it may have been copied. "
            "Sign in with an email link and check your passkeys."
        ),
    )


# -- managing one's own ------------------------------------------------------------------


async def list_passkeys(actor: Actor | None) -> list[Passkey]:
    """The actor's passkeys, oldest first."""
    actor = _signed_in(actor)
    return await Passkey.filter(user_id=actor.user_id).order_by("created_at", "id")


async def rename_passkey(actor: Actor | None, passkey_id: int, name: str) -> Passkey:
    """Give one of one's own passkeys a new name.

    Raises NotAuthenticated; InvalidInput (`name`) for an empty or over-long name;
    NotFound for a passkey that is not the actor's.
    """
    actor = _signed_in(actor)
    label = clean_name(name, "")
    if not label:
        raise InvalidInput.on("name", Message("Enter a name."))
    async with unit.atomic() as u:
        renamed = (
            await Passkey.filter(id=passkey_id, user_id=actor.user_id)
            .using_db(u.conn)
            .update(name=label)
        )
        if not renamed:
            raise NotFound(Message("There is no such passkey."))
        await _record(u, "accounts:passkey:renamed", actor.user_id, passkey_id)
    return await Passkey.get(id=passkey_id)


async def remove_passkey(actor: Actor | None, passkey_id: int) -> None:
    """Delete one of one's own passkeys; email links still sign the person in.

    Raises NotAuthenticated; NotFound for a passkey that is not the actor's.
    """
    actor = _signed_in(actor)
    async with unit.atomic() as u:
        removed = (
            await Passkey.filter(id=passkey_id, user_id=actor.user_id).using_db(u.conn).delete()
        )
        if not removed:
            raise NotFound(Message("There is no such passkey."))
        await _record(u, "accounts:passkey:removed", actor.user_id, passkey_id)


async def _record(u: unit.Unit, name: str, user_id: int, passkey_id: int) -> None:
    """A passkey event: about the account, by its owner; never the key itself."""
    await u.record(
        name,
        "user",
        user_id,
        municipality_id=None,
        actor_id=user_id,
        user_id=user_id,
        passkey_id=passkey_id,
    )
