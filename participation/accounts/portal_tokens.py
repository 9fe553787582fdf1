"""Tokens signed by a municipal service portal: finding the registered key and checking the
signature, audience, issuer and lifetime, for residency attestations and service visits.

A portal registers its public key once (Ed25519 or P-256); it names the key by its id in
the JWT header's `kid`. Only public keys are stored, so nothing here can mint a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from participation import clock
from participation.accounts.models import PortalKey
from participation.errors import InvalidInput
from participation.messages import Message

MAX_LIFETIME = timedelta(minutes=10)
JTI_MAX = 128

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


class Malformed(Exception):
    """Not a JWT at all, or one without the claims it needs."""


class Untrusted(Exception):
    """A JWT that no active key of the municipality verifies, or that is not for us now:
    another audience or issuer, expired, issued in the future, or too long-lived."""


def public_key(pem: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise InvalidInput.on(
            "public_key", Message("This is not a PEM-encoded public key.")
        ) from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise InvalidInput.on("public_key", Message("Use an Ed25519 or P-256 public key."))


def _algorithm(key: PublicKey) -> str:
    return "EdDSA" if isinstance(key, ed25519.Ed25519PublicKey) else "ES256"


async def verify(
    token: str,
    municipality_id: int,
    *,
    issuer: str,
    audience: str,
    claims: Iterable[str],
    require_kid: bool = False,
) -> dict[str, Any]:
    """The token's claims, once an active key of the municipality verified it.

    Raises Malformed and Untrusted with a message for the caller to show. Without a kid
    (where allowed) every active key is tried.
    """
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise Malformed(Message("The token is not a well-formed JWT.")) from None
    if kid is None and require_kid:
        raise Untrusted(Message("The token's header names no key (kid)."))
    keys = await PortalKey.filter(municipality_id=municipality_id, revoked_at=None).all()
    candidates = [k for k in keys if kid is None or str(k.id) == str(kid)]
    decoded = None
    for candidate in candidates:
        public = public_key(candidate.public_key)
        try:
            decoded = jwt.decode(
                token,
                public,
                algorithms=[_algorithm(public)],
                audience=audience,
                issuer=issuer,
                # The times are checked below against the domain's clock.
                options={
                    "require": ["exp", "iat", "jti", "iss", "aud", *claims],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
            break
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            # A key of another type, or another key when no kid was given, does not fit.
            continue
        except jwt.MissingRequiredClaimError as exc:
            raise Malformed(
                Message("The token lacks the claim %(claim)r.", claim=exc.claim)
            ) from None
        except jwt.DecodeError as exc:
            raise Malformed(
                Message("The token is not valid: %(reason)s.", reason=str(exc))
            ) from None
        except jwt.PyJWTError as exc:
            raise Untrusted(
                Message("The token is not valid: %(reason)s.", reason=str(exc))
            ) from None
    if decoded is None:
        raise Untrusted(Message("The token is not signed by an active key of this municipality."))
    if not all(_numeric(decoded[claim]) for claim in ("iat", "exp")):
        raise Malformed(Message("The claims iat and exp must be seconds since 1970."))
    issued, now = datetime.fromtimestamp(decoded["iat"], UTC), clock.now()
    if issued > now:
        raise Untrusted(Message("The token was issued in the future (iat)."))
    if expires(decoded) <= now:
        raise Untrusted(Message("The token has expired (exp)."))
    if expires(decoded) - issued > MAX_LIFETIME:
        raise Untrusted(
            Message(
                "Tokens may be valid for at most %(minutes)s minutes.",
                minutes=MAX_LIFETIME // timedelta(minutes=1),
            )
        )
    jti = str(decoded["jti"])
    if not jti or len(jti) > JTI_MAX:
        raise Malformed(
            Message("The token id (jti) must have 1 to %(max)s characters.", max=JTI_MAX)
        )
    return {**decoded, "jti": jti}


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e11


def expires(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(claims["exp"], UTC)
