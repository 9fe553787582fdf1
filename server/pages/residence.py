"""Declaring residence from the page where it is missing, then going on with the action.

A person refused because she has not said she lives here gets the declaration right
there: the form that co-signs, launches or leads to the ballot carries a confirmation
("I live in Musterstadt") and a district, and its handler declares before it acts.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.accounts.authorization.actors import load_actor
from participation.accounts.residency import declarations
from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.permissions import Level, Place, Refusal, refusal
from participation.redirects import safe_next
from server.pages.account import account_again
from server.pages.forms import FormState, action
from server.web import Pages

MUNICIPALITY_FIELD = "residence_municipality"
DISTRICT_FIELD = "residence_district"
CONFIRM_FIELD = "residence_confirm"

# Refusals a declaration cures; their values, as PermissionDenied carries them.
OFFERED = frozenset({Refusal.RESIDENCE_NOT_DECLARED.value, Refusal.DISTRICT_NOT_DECLARED.value})


@dataclass(frozen=True)
class Offer:
    """What the declaration form asks: the town, its districts, the district an action needs."""

    municipality: Municipality
    districts: list[District]
    district: District | None


async def offer(actor: Actor | None, level: Level, place: Place) -> Offer | None:
    """The form to show when declaring residence is all `actor` lacks here."""
    if actor is None or refusal(actor, level, place) not in OFFERED:
        return None
    municipality = await Municipality.get(id=place.municipality_id)
    districts = await District.filter(
        municipality_id=municipality.id, retired_at__isnull=True
    ).order_by("name")
    needed = next((d for d in districts if d.id == place.district_id), None)
    return Offer(municipality, list(districts), needed)


async def declare_from_form(actor: Actor, form: FormData) -> Actor:
    """Declare what the form says, if it carries a declaration; the actor as she is now.

    Raises InvalidInput on `residence_confirm` when the statement was not confirmed, and
    on `municipality` or `district` when either is unknown.
    """
    slug = str(form.get(MUNICIPALITY_FIELD) or "")
    if not slug:
        return actor
    if not form.get(CONFIRM_FIELD):
        raise InvalidInput.on(CONFIRM_FIELD, Message("Confirm that you live there."))
    await declarations.declare_residence(actor, slug, str(form.get(DISTRICT_FIELD) or "") or None)
    current = await load_actor(actor.user_id, actor.session_id)
    if current is None:
        raise NotAuthenticated(Message("Sign in first."))
    return current


async def declare(request: Request) -> Response:
    """The form on its own (a vote's page, the account page): declare, then go on."""
    target = "/account?saved=residence#residence"

    async def perform(actor: Actor, form: FormData) -> Response:
        await declare_from_form(actor, form)
        next_path = safe_next(form.get("next"), fallback=target)
        return RedirectResponse(next_path, status_code=303)

    async def again(actor: Actor, state: FormState, status: int) -> Response:
        # The domain names the municipality and district; the form's fields are prefixed.
        names = {"municipality": MUNICIPALITY_FIELD, "district": DISTRICT_FIELD}
        state.errors = {names.get(k, k): v for k, v in state.errors.items()}
        return await account_again(request, actor, state, status)

    back = "/account#residence"
    return await action(request, perform, back, form_id="residence", rerender=again)


ROUTES = [Route("/account/residence", declare, methods=["POST"])]

PAGES = Pages(50, ROUTES)
