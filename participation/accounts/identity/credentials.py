"""Reading a browser's WebAuthn answer: untrusted JSON into py_webauthn's structures.

`PublicKeyCredential.toJSON()` gives base64url strings; each is checked strictly here,
so that a bad answer is refused naming its field before anything is looked up.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorTransport,
    PublicKeyCredentialType,
    RegistrationCredential,
)

from participation.errors import InvalidInput
from participation.messages import Message

# Credential ids are at most 1023 bytes (WebAuthn level 3), 1364 characters in base64url.
ID_MAX = 1400
# Attestation objects with certificate chains reach a few kilobytes; nothing needs more.
FIELD_MAX = 16 * 1024
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class ClientData:
    """What the browser says about the ceremony: its kind, challenge and origin."""

    type: str
    challenge: str
    origin: str


@dataclass(frozen=True)
class Registration:
    credential: RegistrationCredential
    client_data: ClientData
    transports: list[str]


@dataclass(frozen=True)
class Assertion:
    credential: AuthenticationCredential
    client_data: ClientData
    user_handle: bytes | None


def decode(value: object, field: str, limit: int = FIELD_MAX) -> bytes:
    """Strict base64url: a wrong character is an error, not silently skipped."""
    if not isinstance(value, str) or not value:
        raise InvalidInput.on(field, Message("Expected a base64url string."))
    if len(value) > limit:
        raise InvalidInput.on(field, Message("This value is too long."))
    if not _BASE64URL.fullmatch(value):
        raise InvalidInput.on(field, Message("This is not valid base64url."))
    text = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput.on(field, Message("This is not valid base64url.")) from None


def _object(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput.on(field, Message("Expected a JSON object."))
    return value


def _client_data(raw: bytes, expected_type: str) -> ClientData:
    field = "credential.response.clientDataJSON"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput.on(field, Message("The client data is not JSON.")) from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), str) for key in ("type", "challenge", "origin")
    ):
        raise InvalidInput.on(
            field, Message("The client data lacks its type, challenge or origin.")
        )
    if data["type"] != expected_type:
        raise InvalidInput.on(field, Message("The client data is for another kind of ceremony."))
    if data.get("crossOrigin") is True:
        # Our pages never run a ceremony inside another site's frame.
        raise InvalidInput.on(
            field, Message("The passkey was used inside another website's frame.")
        )
    return ClientData(data["type"], data["challenge"], data["origin"])


def _common(credential: object) -> tuple[str, bytes, dict[str, Any]]:
    """The id, raw id and response every credential has."""
    body = _object(credential, "credential")
    decode(body.get("id"), "credential.id", ID_MAX)
    raw_id = decode(body.get("rawId"), "credential.rawId", ID_MAX)
    if body.get("id") != body.get("rawId"):
        raise InvalidInput.on("credential.id", Message("The id and rawId differ."))
    if body.get("type") != PublicKeyCredentialType.PUBLIC_KEY.value:
        raise InvalidInput.on("credential.type", Message('Expected "public-key".'))
    return body["id"], raw_id, _object(body.get("response"), "credential.response")


def read_registration(credential: object) -> Registration:
    """The answer to `navigator.credentials.create()`. Raises InvalidInput naming the field."""
    credential_id, raw_id, response = _common(credential)
    client_data_json = decode(response.get("clientDataJSON"), "credential.response.clientDataJSON")
    attestation = decode(response.get("attestationObject"), "credential.response.attestationObject")
    transports = response.get("transports") or []
    if not isinstance(transports, list) or len(transports) > 10:
        raise InvalidInput.on(
            "credential.response.transports", Message("Expected a list of transports.")
        )
    known = [t for t in transports if isinstance(t, str) and t in _TRANSPORTS]
    return Registration(
        RegistrationCredential(
            id=credential_id,
            raw_id=raw_id,
            response=AuthenticatorAttestationResponse(
                client_data_json=client_data_json,
                attestation_object=attestation,
                transports=[AuthenticatorTransport(t) for t in known],
            ),
            type=PublicKeyCredentialType.PUBLIC_KEY,
        ),
        _client_data(client_data_json, "webauthn.create"),
        known,
    )


def read_assertion(credential: object) -> Assertion:
    """The answer to `navigator.credentials.get()`. Raises InvalidInput naming the field."""
    credential_id, raw_id, response = _common(credential)
    client_data_json = decode(response.get("clientDataJSON"), "credential.response.clientDataJSON")
    authenticator_data = decode(
        response.get("authenticatorData"), "credential.response.authenticatorData"
    )
    signature = decode(response.get("signature"), "credential.response.signature")
    handle = response.get("userHandle")
    user_handle = None
    if handle not in (None, ""):
        user_handle = decode(handle, "credential.response.userHandle", 128)
    return Assertion(
        AuthenticationCredential(
            id=credential_id,
            raw_id=raw_id,
            response=AuthenticatorAssertionResponse(
                client_data_json=client_data_json,
                authenticator_data=authenticator_data,
                signature=signature,
                user_handle=user_handle,
            ),
            type=PublicKeyCredentialType.PUBLIC_KEY,
        ),
        _client_data(client_data_json, "webauthn.get"),
        user_handle,
    )
