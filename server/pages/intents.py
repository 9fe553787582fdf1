"""What a signed-out person meant to do, carried through sign-in and done once she is in.

The co-sign button of a signed-out visitor leads to sign-in with a `next` that names
the intent: the mandate's page with `intent=sign` and the sign form's own fields (the
"also by email" box, the residence declaration). Both ways in, the emailed link and the
passkey, end in a CSRF-checked POST; that POST performs the intent, so no GET ever
writes. Anybody can write such a link, so the pages before that POST (the sign-in page,
the link's confirmation, which offers "Only sign in") say all it will do: co-sign, state
where she lives if she has not said so yet, agree to email. Her click there is what she
agreed to; a declaration is a statement she ticked before signing in, and it is applied
only while she has none. Whatever is still missing (a proven residence, a declaration
not confirmed) or cannot be done any more (the mandate closed) ends on the mandate's
page, which explains it, with the form as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request

from participation import clock
from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS, TOPICS, has_consent
from participation.actors import Actor
from participation.errors import DomainError
from participation.mandates import commands, rules
from participation.mandates.actions import SIGN_MANDATE
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import place_of
from participation.permissions import refusal
from server import limits
from server.pages import preferences, residence

INTENT = "intent"
SIGN = "sign"
# The query parameter of the mandate page that shows "you co-signed" once.
SIGNED = "signed"
EMAIL_VERSION = f"{EMAIL_NOTIFICATIONS}_version"
# The sign form's fields an intent keeps, and nothing else.
CARRIED = (
    residence.MUNICIPALITY_FIELD,
    residence.DISTRICT_FIELD,
    residence.CONFIRM_FIELD,
    EMAIL_NOTIFICATIONS,
    EMAIL_VERSION,
)
TICKS = (residence.CONFIRM_FIELD, EMAIL_NOTIFICATIONS)
_MANDATE = re.compile(r"/mandates/([1-9][0-9]{0,8})")
_FIELD_MAX = 80


@dataclass(frozen=True)
class SignIntent:
    """Co-sign mandate `mandate_id`, with the sign form's fields as they were posted."""

    mandate_id: int
    fields: dict[str, str]

    @property
    def path(self) -> str:
        """The mandate page that asks for it: where sign-in goes when it was not done."""
        return f"/mandates/{self.mandate_id}?{urlencode({INTENT: SIGN, **self.fields})}"

    @property
    def choices(self) -> dict[str, str]:
        """The fields a page may fill in again from its address: the choices, not the
        ticks. A box ticked by a link is a statement or a consent she never gave."""
        return {k: v for k, v in self.fields.items() if k not in TICKS}

    @property
    def done(self) -> str:
        return f"/mandates/{self.mandate_id}?{SIGNED}=1#signatures"

    @property
    def plain(self) -> str:
        return f"/mandates/{self.mandate_id}"

    def declares(self, municipality: Municipality) -> bool:
        """Whether it carries a confirmed declaration of living in `municipality`: one
        naming another town is not this form's and is ignored."""
        return (
            self.fields.get(residence.MUNICIPALITY_FIELD) == municipality.slug
            and residence.CONFIRM_FIELD in self.fields
        )

    @property
    def agrees_to_email(self) -> bool:
        """The "also by email" box ticked next to the current wording; the wording's
        version alone (the box left empty) writes nothing."""
        return (
            self.fields.get(EMAIL_NOTIFICATIONS) == "yes"
            and self.fields.get(EMAIL_VERSION) == TOPICS[EMAIL_NOTIFICATIONS].current
        )


def sign_intent(mandate_id: int, form: FormData | dict[str, str]) -> SignIntent:
    """The intent a signed-out sign form posted, keeping only the fields it may carry."""
    fields = {}
    for name in CARRIED:
        value = form.get(name)
        if isinstance(value, str) and value and len(value) <= _FIELD_MAX:
            fields[name] = value
    return SignIntent(mandate_id, fields)


def pending(next_path: str | None) -> SignIntent | None:
    """The intent `next_path` names, if it names one."""
    if not next_path:
        return None
    parts = urlsplit(next_path)
    found = _MANDATE.fullmatch(parts.path)
    if found is None:
        return None
    query = dict(parse_qsl(parts.query))
    if query.get(INTENT) != SIGN:
        return None
    return sign_intent(int(found.group(1)), query)


@dataclass(frozen=True)
class Announced:
    """What the sign-in pages say signing in will do: co-sign the public mandate `title`,
    and, if the intent carries them, state where she lives and agree to email. `certain`
    when the person is known, so what she has already is left out rather than hedged."""

    kind: str
    title: str
    href: str
    place: str | None = None
    district: str | None = None
    email: bool = False
    certain: bool = False

    def email_wording(self, language: str) -> str:
        """The consent's text, as the box she ticked showed it."""
        return TOPICS[EMAIL_NOTIFICATIONS].wording(language)


async def described(next_path: str | None, user_id: int | None = None) -> Announced | None:
    """What the sign-in pages announce. Knowing who signs in (`user_id`, the emailed
    link), it leaves out what will not happen: a declaration when she has one, a
    consent she gave already."""
    intent = pending(next_path)
    if intent is None:
        return None
    mandate = await Mandate.get_or_none(id=intent.mandate_id)
    if mandate is None or mandate.status == "draft":
        return None
    municipality = await Municipality.get(id=mandate.municipality_id)
    actor = await load_actor(user_id) if user_id is not None else None
    place = district = None
    if intent.declares(municipality) and (actor is None or actor.declared is None):
        place = municipality.name
        slug = intent.fields.get(residence.DISTRICT_FIELD)
        found = await District.get_or_none(
            municipality_id=municipality.id, slug=slug, retired_at__isnull=True
        )
        district = found.name if slug and found is not None else None
    email = intent.agrees_to_email and (
        actor is None or not await has_consent(actor.user_id, EMAIL_NOTIFICATIONS)
    )
    return Announced(SIGN, mandate.title, intent.plain, place, district, email, actor is not None)


def without_intent(next_path: str) -> str:
    """Where signing in only, without doing the intent, leads."""
    intent = pending(next_path)
    return intent.plain if intent is not None else next_path


async def complete(request: Request, user_id: int, next_path: str) -> str:
    """Do the intent `next_path` names for the person who just signed in; where to go next.

    Signed: the mandate page confirming it (signed before: the page that says so).
    Something missing or refused: the mandate's page, which explains it, with the form
    as it was.
    """
    intent = pending(next_path)
    if intent is None:
        return next_path
    actor = await load_actor(user_id)
    mandate = await Mandate.get_or_none(id=intent.mandate_id)
    if actor is None or mandate is None:
        return intent.plain
    again = intent.path + "#signatures"
    try:
        await limits.check(request, limits.COSIGN, actor.user_id)
        actor = await _declared(actor, mandate, intent)
        outcome = await commands.sign_mandate(actor, intent.mandate_id)
    except (limits.RateLimited, DomainError):
        return again
    if not outcome.created:
        return intent.plain + "#signatures"
    if intent.agrees_to_email:
        await preferences.grant_from_form(actor, FormData(intent.fields))
    return intent.done


async def _declared(actor: Actor, mandate: Mandate, intent: SignIntent) -> Actor:
    """The actor after the intent's declaration, applied only if she has none, it is what
    she lacks here, and the mandate still collects: nothing is written for a co-signature
    that cannot be made. Raises InvalidInput for a district that does not exist."""
    municipality = await Municipality.get(id=mandate.municipality_id)
    if not intent.declares(municipality) or actor.declared is not None:
        return actor
    if not rules.open_for_signatures(Status(mandate.status), mandate.closes_at, clock.now()):
        return actor
    place = await place_of(mandate.municipality_id)
    if refusal(actor, place.level(SIGN_MANDATE), place) not in residence.OFFERED:
        return actor
    return await residence.declare_from_form(actor, FormData(intent.fields))
