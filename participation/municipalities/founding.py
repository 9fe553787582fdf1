"""An operator founds a municipality on this deployment: its slug, name, state and key.

The slug is its address (/m/<slug>, /api/v1/municipalities/<slug>) and never changes; the
official key is the Amtlicher Gemeindeschlüssel, eight digits whose first two name the
state, which the open-data catalogue publishes. Its first administrator is invited by the
accounts area (participation/accounts/authorization/invitations.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tortoise.exceptions import IntegrityError

from participation import unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput
from participation.messages import Message
from participation.municipalities import settings
from participation.municipalities.actions import CREATE_MUNICIPALITY
from participation.municipalities.models import Municipality
from participation.permissions import DEPLOYMENT, require

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 2, 64
# Words the site's own paths use, or will: a municipality of that name would read as one.
RESERVED = frozenset(
    {
        "admin",
        "api",
        "account",
        "dev",
        "feeds",
        "help",
        "impressum",
        "login",
        "logout",
        "m",
        "mailbox",
        "me",
        "metrics",
        "new",
        "open-data",
        "operator",
        "privacy",
        "settings",
        "sign-in",
        "sign-out",
        "static",
        "www",
    }
)
# The first two digits of the Amtlicher Gemeindeschlüssel, by state code.
STATE_KEYS: dict[str, str] = {
    "SH": "01",
    "HH": "02",
    "NI": "03",
    "HB": "04",
    "NW": "05",
    "HE": "06",
    "RP": "07",
    "BW": "08",
    "BY": "09",
    "SL": "10",
    "BE": "11",
    "BB": "12",
    "MV": "13",
    "SN": "14",
    "ST": "15",
    "TH": "16",
}
# What may be set at founding besides slug, name, state and key; the rest is the
# administrators' (PATCH /municipalities/{slug}).
OPTIONAL = ("time_zone", "population", "contact_email", "contact_phone", "contact_address")


def slug_problem(slug: Any) -> Message | None:
    """Why `slug` cannot name a new municipality, or None (uniqueness is checked apart)."""
    if not isinstance(slug, str) or not SLUG_MIN <= len(slug) <= SLUG_MAX or not SLUG.match(slug):
        return Message(
            "Use 2 to 64 lowercase letters, digits and hyphens, starting and ending with a "
            "letter or digit, such as bad-beispiel."
        )
    if slug in RESERVED:
        return Message("%(slug)s is a word the site uses itself; choose another.", slug=slug)
    return None


def key_problem(key: Any, state: str | None) -> Message | None:
    """Why `key` is no official key of a municipality in `state`, or None."""
    if not isinstance(key, str) or not re.fullmatch(r"[0-9]{8}", key):
        return Message("The official key (AGS) has eight digits, such as 09162000.")
    if state is not None and key[:2] != STATE_KEYS[state]:
        return Message(
            "An official key in %(state)s starts with %(prefix)s.",
            state=state,
            prefix=STATE_KEYS[state],
        )
    return None


async def create_municipality(
    actor: Actor | None,
    slug: str,
    name: str,
    state: str,
    official_key: str,
    extra: Mapping[str, Any] | None = None,
) -> Municipality:
    """Found a municipality: `extra` may hold time_zone, population and contact_*.

    Raises NotAuthenticated, PermissionDenied (not an operator) and InvalidInput naming
    every bad field at once: slug (malformed, reserved, taken), name, state (not one of
    the 16 codes), official_key (not 8 digits, or not the state's), and the extras by the
    rules of participation/municipalities/settings.py. Nothing is stored then.
    """
    require(actor, CREATE_MUNICIPALITY, DEPLOYMENT)
    assert actor is not None
    problems: list[FieldError] = []
    slug_text = slug.strip() if isinstance(slug, str) else slug
    wrong_slug = slug_problem(slug_text)
    if wrong_slug is None and await Municipality.filter(slug=slug_text).exists():
        wrong_slug = _taken(slug_text)
    if wrong_slug is not None:
        problems.append(FieldError("slug", wrong_slug))
    chosen_state = None
    if not isinstance(state, str) or state.strip().upper() not in settings.STATES:
        problems.append(
            FieldError(
                "state",
                Message(
                    "Unknown state; use one of the codes %(codes)s.",
                    codes=", ".join(sorted(settings.STATES)),
                ),
            )
        )
    else:
        chosen_state = state.strip().upper()
    key_text = official_key.strip() if isinstance(official_key, str) else official_key
    wrong_key = key_problem(key_text, chosen_state)
    if wrong_key is not None:
        problems.append(FieldError("official_key", wrong_key))
    unknown = [k for k in (extra or {}) if k not in OPTIONAL]
    problems += [FieldError(k, Message("Unknown field %(name)r.", name=k)) for k in unknown]
    known = {k: v for k, v in (extra or {}).items() if k in OPTIONAL}
    cleaned, wrong = settings.clean({"name": name, **known})
    problems += wrong
    if problems:
        raise InvalidInput(Message("The municipality cannot be created so."), problems)
    try:
        async with unit.atomic() as u:
            municipality = await Municipality.create(
                slug=slug_text,
                state=chosen_state,
                official_key=key_text,
                using_db=u.conn,
                **cleaned,
            )
            await u.record(
                "municipalities:municipality:created",
                "municipality",
                municipality.id,
                municipality_id=municipality.id,
                actor_id=actor.user_id,
                slug=municipality.slug,
                official_key=municipality.official_key,
            )
    except IntegrityError:
        # Founded by someone else a moment ago: the unique constraint decided.
        raise InvalidInput.on("slug", _taken(slug_text)) from None
    await municipality.refresh_from_db()
    return municipality


def _taken(slug: str) -> Message:
    return Message("There is already a municipality at %(slug)s.", slug=slug)
