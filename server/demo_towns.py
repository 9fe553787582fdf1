"""Two more demo towns beside Musterstadt, founded as an operator founds one.

Beispielhausen answers within days and re-registers within three; Bad Beispiel takes
weeks for both, so the comparison of figures has something true to show. Both are
fictional, with official keys (AGS) that are well formed for their state and belong to
no real municipality. Each is founded by the demo's operator, gets its first
administrator, districts, departments, a service promise, a population, a service
catalogue and a portal key, all through the commands; server/demo_year.py then tells
its year.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from notifications.visits import offer
from participation.accounts.authorization.actors import load_actor
from participation.accounts.authorization.invitations import appoint_first_administrator
from participation.accounts.authorization.operators import grant_operator
from participation.accounts.identity.commands import ensure_user
from participation.accounts.identity.consent import (
    SERVICE_VISIT_INVITATIONS,
    TOPICS,
    grant_consent,
)
from participation.accounts.models import User
from participation.accounts.residency.verification import add_portal_key, verify_resident
from participation.actors import Actor
from participation.municipalities import departments
from participation.municipalities.commands import update_municipality
from participation.municipalities.districts import slug_of
from participation.municipalities.founding import create_municipality
from participation.permissions import Role

OPERATOR = "betrieb@demo.example"
MOBILITY = ("mobilität", "verkehr", "radverkehr")
# The same codes as Musterstadt's catalogue (server/demo.py), so the towns compare.
SERVICES = [
    ("residence.registration", "Ummeldung", "Re-registration", (), True),
    ("id_card.collection", "Ausweisabholung", "ID card collection", (), True),
    ("vehicle.registration", "Kfz-Zulassung", "Vehicle registration", MOBILITY, False),
]
FIRST_NAMES = ["Lena", "Jonas", "Mira", "Emil", "Sara", "Noah", "Ida", "Paul", "Aylin", "Finn"]
LAST_NAMES = ["Kowalski", "Hartmann", "Yılmaz", "Brandt", "Vogel", "Nguyen", "Albers", "Roth"]


@dataclass(frozen=True)
class Town:
    """A demo town and how its council and offices work, in ranges the history draws from."""

    slug: str
    name: str
    state: str
    official_key: str
    population: int
    quorum: int
    promise_days: int
    districts: tuple[str, ...]
    departments: tuple[str, ...]
    # Working days from submission to the first answer.
    answer_days: tuple[int, int]
    # Days from the first answer to the decision, and from work begun to completion.
    decide_days: tuple[float, float]
    complete_days: tuple[float, float]
    # Hours from a flag to the moderator's decision.
    moderation_hours: tuple[float, float]
    # Days from request to completion, by service code.
    service_days: dict[str, tuple[float, float]]
    # How the town's co-signers rate outcomes, and its citizens its services: score weights 1-5.
    rating_weights: tuple[int, int, int, int, int]
    service_weights: tuple[int, int, int, int, int]

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"


TOWNS = (
    Town(
        slug="beispielhausen",
        name="Beispielhausen",
        state="NI",
        official_key="03999999",
        population=21_400,
        quorum=5,
        promise_days=5,
        districts=("Mitte", "Am Deich", "Neue Heide"),
        departments=("Ordnungsamt", "Bauamt", "Bürgerbüro"),
        answer_days=(0, 4),
        decide_days=(3, 10),
        complete_days=(20, 60),
        moderation_hours=(0.5, 6),
        service_days={
            "residence.registration": (0.2, 3),
            "id_card.collection": (8, 15),
            "vehicle.registration": (0.5, 3),
        },
        rating_weights=(1, 1, 3, 6, 5),
        service_weights=(0, 1, 2, 6, 6),
    ),
    Town(
        slug="bad-beispiel",
        name="Bad Beispiel",
        state="BY",
        official_key="09999999",
        population=36_800,
        quorum=6,
        promise_days=10,
        districts=("Kurviertel", "Altort", "Bahnhofsvorstadt", "Oberdorf"),
        departments=("Stadtbauamt", "Kämmerei", "Einwohnermeldeamt"),
        answer_days=(3, 20),
        decide_days=(10, 30),
        complete_days=(60, 150),
        moderation_hours=(18, 80),
        service_days={
            "residence.registration": (14, 25),
            "id_card.collection": (21, 35),
            "vehicle.registration": (4, 12),
        },
        rating_weights=(3, 5, 4, 2, 1),
        service_weights=(3, 5, 4, 2, 1),
    ),
)
CITIZENS = 24
#: The local parts of a town's addresses by role, at the town's own domain.
LOCAL_PARTS = {Role.COUNCIL: "rat", Role.MODERATOR: "moderation", Role.ADMIN: "verwaltung"}


def accounts(town: Town) -> dict[Role, list[str]]:
    """The sign-in addresses `found` gives `town`, by role (the start-up banner lists them)."""
    return {
        Role.CITIZEN: [f"buerger{n}@{town.domain}" for n in range(1, CITIZENS + 1)],
        **{role: [f"{local}@{town.domain}"] for role, local in LOCAL_PARTS.items()},
    }


@dataclass
class Cast:
    """A founded town's people, departments and portal key, as its history needs them."""

    town: Town
    admin: Actor
    council: Actor
    moderator: Actor
    citizens: list[Actor]
    departments: list[int]
    districts: list[str]
    portal: ed25519.Ed25519PrivateKey
    portal_key_id: int


async def operator() -> Actor:
    """The deployment's operator, who founds the towns (`auftrag operator grant`)."""
    user = await grant_operator(OPERATOR)
    actor = await load_actor(user.id)
    assert actor is not None
    return actor


async def found(founder: Actor, town: Town) -> Cast:
    """Found `town` and set it up as its administration would."""
    await create_municipality(
        founder,
        town.slug,
        town.name,
        town.state,
        town.official_key,
        {
            "time_zone": "Europe/Berlin",
            "population": town.population,
            "contact_email": f"rathaus@{town.domain}",
            "contact_address": f"{town.name}\nRathausplatz 1",
        },
    )
    addresses = accounts(town)
    admin_email = addresses[Role.ADMIN][0]
    await ensure_user(admin_email, display_name=f"Verwaltung {town.name}", verified=True)
    await appoint_first_administrator(founder, town.slug, admin_email)
    admin = await _actor(admin_email)
    await update_municipality(
        admin,
        town.slug,
        {
            "default_quorum": town.quorum,
            "service_promise_days": town.promise_days,
            "signature_period_days": 90,
            "add_districts": list(town.districts),
        },
    )
    made = [await departments.create_department(admin, town.slug, n) for n in town.departments]
    council = await _person(town, f"Rat {town.name}", Role.COUNCIL)
    moderator = await _person(town, f"Moderation {town.name}", Role.MODERATOR)
    districts = [slug_of(d) for d in town.districts]
    citizens = []
    for n, email in enumerate(addresses[Role.CITIZEN], start=1):
        name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}"
        user = await ensure_user(
            email,
            display_name=name,
            municipality_slug=town.slug,
            verified=True,
            declare=True,
            district_slug=districts[n % len(districts)],
        )
        if n % 4:
            await verify_resident(admin, town.slug, user.email)
        citizen = await load_actor(user.id)
        assert citizen is not None
        if n % 3:
            # Most agreed to be invited after a visit to the town's offices.
            topic = TOPICS[SERVICE_VISIT_INVITATIONS]
            await grant_consent(citizen, SERVICE_VISIT_INVITATIONS, topic.current)
        citizens.append(citizen)
    await offer.replace_catalogue(
        admin, town.slug, [offer.Service(code, de, en) for code, de, en, _, _ in SERVICES]
    )
    rules = tuple(offer.Rule(code, topics, own) for code, _, _, topics, own in SERVICES)
    await offer.replace_invitation_rules(admin, town.slug, offer.Rules(14, rules))
    # A fresh key each time: the demo's portal signs its history and is forgotten then.
    portal = ed25519.Ed25519PrivateKey.generate()
    pem = (
        portal.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = await add_portal_key(admin, town.slug, "Serviceportal", pem)
    return Cast(
        town, admin, council, moderator, citizens, [d.id for d in made], districts, portal, key.id
    )


async def _person(town: Town, name: str, role: Role) -> Actor:
    user = await ensure_user(
        accounts(town)[role][0],
        display_name=name,
        role=role,
        municipality_slug=town.slug,
        verified=True,
    )
    return await _actor(user.email)


async def _actor(email: str) -> Actor:
    user = await User.get(email=email)
    actor = await load_actor(user.id)
    assert actor is not None
    return actor
