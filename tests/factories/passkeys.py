"""A passkey authenticator in software, so tests run the library's real verification.

It holds an EC P-256 key (or an RSA one), answers registrations with attestation "none"
and signs assertions; every part a check looks at (challenge, origin, RP ID, counter,
user handle, the public key itself) can be set by the test to craft the answer that
check must refuse.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor

from participation.accounts.identity import passkeys
from participation.accounts.models import Passkey
from participation.actors import Actor

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
RP = passkeys.RelyingParty(RP_ID, "Auftrag", (ORIGIN,))

_UP, _UV, _BE, _BS, _AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64(data: bytes) -> str:
    return bytes_to_base64url(data)


def rsa_cose_key(n: int, e: int = 65537) -> bytes:
    """An RS256 COSE key with modulus `n`, whatever `n` is."""
    modulus = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return encode_cbor({1: 3, 3: -257, -1: modulus, -2: e.to_bytes(3, "big")})


def ec_cose_key(x: int, y: int) -> bytes:
    """An ES256 COSE key with the point (x, y), on the curve or not."""
    return encode_cbor({1: 2, 3: -7, -1: 1, -2: x.to_bytes(32, "big"), -3: y.to_bytes(32, "big")})


@dataclass
class SoftAuthenticator:
    """One credential on one authenticator, as a browser would report it."""

    origin: str = ORIGIN
    rp_id: str = RP_ID
    counter: int = 0
    cross_origin: bool = False
    backed_up: bool = False
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    user_handle: bytes | None = None
    # A COSE key to present instead of the real one's, to craft broken keys.
    cose_key: bytes | None = None

    def _flags(self, attested: bool) -> bytes:
        flags = _UP | _UV | (_BE | _BS if self.backed_up else 0) | (_AT if attested else 0)
        return bytes([flags])

    def _cose_key(self) -> bytes:
        if self.cose_key is not None:
            return self.cose_key
        if isinstance(self.key, rsa.RSAPrivateKey):
            public = self.key.public_key().public_numbers()
            return rsa_cose_key(public.n, public.e)
        numbers = self.key.public_key().public_numbers()
        return ec_cose_key(numbers.x, numbers.y)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin}
        return json.dumps({**data, "crossOrigin": self.cross_origin}).encode()

    def register(
        self,
        options: dict[str, Any],
        *,
        challenge: str | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
    ) -> dict[str, Any]:
        """The answer to `navigator.credentials.create(options)`."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        auth_data = (
            hashlib.sha256((rp_id or self.rp_id).encode()).digest()
            + self._flags(attested=True)
            + self.counter.to_bytes(4, "big")
            + bytes(16)  # AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "attestationObject": b64(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def sign_in(
        self,
        options: dict[str, Any],
        *,
        challenge: str | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
        user_handle: bytes | None = None,
    ) -> dict[str, Any]:
        """The answer to `navigator.credentials.get(options)`; the counter goes up by one."""
        self.counter = self.counter + 1 if counter is None else counter
        auth_data = (
            hashlib.sha256((rp_id or self.rp_id).encode()).digest()
            + self._flags(attested=False)
            + self.counter.to_bytes(4, "big")
        )
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        if isinstance(self.key, rsa.RSAPrivateKey):
            signature = self.key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        else:
            signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        handle = user_handle or self.user_handle
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
                "userHandle": b64(handle) if handle else None,
            },
        }


async def passkey(
    actor: Actor, authenticator: SoftAuthenticator | None = None, name: str = "Laptop"
) -> tuple[Passkey, SoftAuthenticator]:
    """A passkey registered through the real ceremony, with the authenticator holding it."""
    authenticator = authenticator or SoftAuthenticator()
    binding = secrets.token_urlsafe(16)
    options = await passkeys.begin_registration(actor, RP, binding)
    answer = authenticator.register(options)
    stored = await passkeys.finish_registration(actor, RP, binding, answer, name)
    return stored, authenticator
