"""The people of a municipality's administration: who holds which role, found by name or
email a page at a time, roles given (at once, or waiting on an address), taken back.

Emails appear here because administrators need them to tell people apart; nowhere public.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.accounts.authorization import invitations, roles
from participation.accounts.authorization.actions import MANAGE_ROLES
from participation.actors import Actor
from participation.ids import parse_id
from participation.municipalities.models import Municipality
from server.invitation_mail import send_invitation
from server.pages.administration import (
    admin_page,
    form_action,
    id_field,
    text_field,
)
from server.templating import render
from server.web import Pages

PAGE_SIZE = 50
# What the banner confirms after a form, by the word the form sent back.
DONE = ("granted", "invited", "revoked", "withdrawn")


async def _people_page(
    request: Request,
    actor: Actor,
    municipality: Municipality,
    status: int = 200,
    section: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    params = request.query_params
    q = " ".join(params.get("q", "").split())[: roles.SEARCH_MAX]
    page = parse_id(params.get("page", "1")) or 1
    members, more = await roles.find_members(
        actor, municipality.slug, q, (page - 1) * PAGE_SIZE, PAGE_SIZE
    )

    def link(number: int) -> str:
        query = {"q": q, "page": str(number)} if q else {"page": str(number)}
        return f"/m/{municipality.slug}/admin/people?{urlencode(query)}"

    done = params.get("done")
    return render(
        request,
        "pages/people.html",
        status=status,
        municipality=municipality,
        members=members,
        pending=await invitations.list_invitations(actor, municipality.slug),
        q=q,
        page=page,
        previous_page=link(page - 1) if page > 1 else None,
        next_page=link(page + 1) if more else None,
        done=done if done in DONE and status == 200 else None,
        roles=[r.value for r in invitations.INVITABLE],
        section=section,
        errors=errors or {},
        values=values or {},
    )


people = admin_page(MANAGE_ROLES, _people_page)


async def _revoke(actor: Actor, municipality: Municipality, form: FormData) -> str:
    role = text_field(form, "role")
    await roles.revoke_role(actor, municipality.slug, id_field(form, "user_id"), role)
    return "revoked"


async def _withdraw(actor: Actor, municipality: Municipality, form: FormData) -> str:
    await invitations.withdraw_invitation(actor, municipality.slug, id_field(form, "invitation_id"))
    return "withdrawn"


async def grant(request: Request) -> Response:
    """Give a role: at once to an account, else waiting on the address, which is told so
    by email once the invitation is stored."""

    async def invite(actor: Actor, municipality: Municipality, form: FormData) -> str:
        invitation = await invitations.invite(
            actor, municipality.slug, text_field(form, "email"), text_field(form, "role")
        )
        if not invitation.pending:
            return "granted"
        await send_invitation(request, municipality, invitation)
        return "invited"

    return await form_action("roles", invite, _people_page, "/people")(request)


ROUTES = [
    Route("/m/{slug}/admin/people", people, methods=["GET"]),
    Route("/m/{slug}/admin/roles", grant, methods=["POST"]),
    Route(
        "/m/{slug}/admin/roles/revoke",
        form_action("roles", _revoke, _people_page, "/people"),
        methods=["POST"],
    ),
    Route(
        "/m/{slug}/admin/invitations/withdraw",
        form_action("invitations", _withdraw, _people_page, "/people"),
        methods=["POST"],
    ),
]

PAGES = Pages(59, ROUTES)
