"""A municipality's service portal: its key, the visits it signs, and a catalogue with
rules to match them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from notifications.visits import commands, offer
from notifications.visits.commands import AUDIENCE
from notifications.visits.models import Invitation
from participation import clock
from participation.accounts.identity.consent import (
    SERVICE_VISIT_INVITATIONS,
    TOPICS,
    grant_consent,
)
from participation.accounts.models import PortalKey
from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests.factories.accounts import person
from tests.factories.mandates import mandate


class Portal:
    """A registered portal key of `municipality`, signing visits as its portal would."""

    def __init__(self, municipality: Municipality, key: PortalKey, private: Any) -> None:
        self.municipality = municipality
        self.key = key
        self.private = private

    def visit(self, *, kid: object = "mine", private: Any = None, **claims: Any) -> str:
        now = clock.now()
        body = {
            "iss": self.municipality.slug,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": str(uuid.uuid4()),
            "service_type": "residence.registration",
            "district": "mitte",
            "occurred_at": now.isoformat(),
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        header = {"kid": str(self.key.id) if kid == "mine" else kid} if kid else None
        return jwt.encode(body, private or self.private, algorithm="EdDSA", headers=header)


async def portal(municipality: Municipality) -> Portal:
    private = ed25519.Ed25519PrivateKey.generate()
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = await PortalKey.create(municipality_id=municipality.id, name="Portal", public_key=pem)
    return Portal(municipality, key, private)


async def services(municipality: Municipality, cap_days: int = 14) -> Actor:
    """The demo's catalogue: re-registration to the new district's consultations, vehicle
    registration to mobility topics; returns the administrator who set it up."""
    admin = await person(role=Role.ADMIN, municipality=municipality, name="Ada Admin")
    await offer.replace_catalogue(
        admin,
        municipality.slug,
        [
            offer.Service("residence.registration", "Ummeldung", "Re-registration"),
            offer.Service("vehicle.registration", "Kfz-Zulassung", "Vehicle registration"),
            offer.Service("waste.bulky_pickup", "Sperrmüll", "Bulky waste pickup"),
        ],
    )
    await offer.replace_invitation_rules(
        admin,
        municipality.slug,
        offer.Rules(
            cap_days,
            (
                offer.Rule("residence.registration", (), True),
                offer.Rule("vehicle.registration", ("mobilität", "radverkehr"), False),
            ),
        ),
    )
    return admin


async def consenting(actor: Actor) -> Actor:
    await grant_consent(actor, SERVICE_VISIT_INVITATIONS, TOPICS[SERVICE_VISIT_INVITATIONS].current)
    return actor


def minutes_ago(minutes: float) -> datetime:
    return clock.now() - timedelta(minutes=minutes)


async def invitation(
    municipality: Municipality, email: str = "eingeladen@example.org"
) -> Invitation:
    """A consenting resident of Mitte, re-registered there while a mandate collects in
    Mitte: her invitation, as the portal's call left it."""
    await services(municipality)
    sender = await portal(municipality)
    resident = await consenting(await person(email=email, lives_in=municipality, district="mitte"))
    await mandate(await person(), municipality, district="mitte", title="Radweg Mitte")
    outcome = await commands.record_visit(municipality.slug, sender.visit(email=email))
    assert outcome == "invited"
    return await Invitation.get(user_id=resident.user_id)
