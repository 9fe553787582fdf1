"""What a signed-out person meant to do, carried through sign-in and done once she is in.

The co-sign button of a signed-out visitor leads to sign-in with a `next` that names
the intent: the mandate's page with `intent=sign` and the sign form's own fields (the
"also by email" box, the residence declaration). Both ways in, the emailed link and the
passkey, end in a CSRF-checked POST; that POST performs the intent, so no GET ever
writes, and the sign-in pages say beforehand what signing in will do: co-sign. Only a
plain co-signature is done so. An intent that carries more (a residence declaration, the
email box) ends on the mandate's page with the form filled in as it was, for her own
click: anybody can write such a link, and signing in must not declare where she lives or
consent to email on a stranger's say. Whatever is still missing (a declaration, a
verified residence) ends there too, which offers or explains it; an intent that cannot be
done any more (the mandate closed) just leads there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request

from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS
from participation.errors import DomainError
from participation.mandates import commands
from participation.mandates.models import Mandate
from server import limits
from server.pages import residence

INTENT = "intent"
SIGN = "sign"
# The query parameter of the mandate page that shows "you co-signed" once.
SIGNED = "signed"
# The sign form's fields an intent keeps, and nothing else.
CARRIED = (
    residence.MUNICIPALITY_FIELD,
    residence.DISTRICT_FIELD,
    residence.CONFIRM_FIELD,
    EMAIL_NOTIFICATIONS,
    f"{EMAIL_NOTIFICATIONS}_version",
)
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
    def asks(self) -> bool:
        """Whether it carries more than the co-signature: something that would write (a
        declaration, the ticked email box); the wording's version alone writes nothing."""
        return any(name != f"{EMAIL_NOTIFICATIONS}_version" for name in self.fields)

    @property
    def done(self) -> str:
        return f"/mandates/{self.mandate_id}?{SIGNED}=1#signatures"

    @property
    def plain(self) -> str:
        return f"/mandates/{self.mandate_id}"


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


async def described(next_path: str | None) -> dict[str, str] | None:
    """What the sign-in pages announce: the title of the public mandate to be co-signed,
    and whether she will confirm it on its page (`asks`)."""
    intent = pending(next_path)
    if intent is None:
        return None
    mandate = await Mandate.get_or_none(id=intent.mandate_id)
    if mandate is None or mandate.status == "draft":
        return None
    # Carrying more than the co-signature, she confirms it on the mandate's page.
    asks = "yes" if intent.asks else ""
    return {"kind": SIGN, "title": mandate.title, "href": intent.plain, "asks": asks}


def without_intent(next_path: str) -> str:
    """Where signing in only, without doing the intent, leads."""
    intent = pending(next_path)
    return intent.plain if intent is not None else next_path


async def complete(request: Request, user_id: int, next_path: str) -> str:
    """Do the intent `next_path` names for the person who just signed in; where to go next.

    Signed: the mandate page confirming it. Carrying more than the co-signature, something
    missing, or refused: the mandate's page asking for it, with the form as it was.
    """
    intent = pending(next_path)
    if intent is None:
        return next_path
    actor = await load_actor(user_id)
    if actor is None:
        return intent.plain
    if intent.asks:
        return intent.path + "#signatures"
    try:
        await limits.check(request, limits.COSIGN, actor.user_id)
        await commands.sign_mandate(actor, intent.mandate_id)
    except limits.RateLimited:
        return intent.path + "#signatures"
    except DomainError:
        return intent.path + "#signatures"
    return intent.done
