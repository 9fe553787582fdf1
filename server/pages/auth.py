"""Signing in by emailed link, and signing out."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications.models import MailboxMessage
from participation.accounts.identity import commands, sessions
from participation.accounts.models import (
    Membership,
    PendingRole,
    ResidenceDeclaration,
    Residency,
    SignInToken,
    User,
)
from participation.errors import DomainError, InvalidInput
from participation.municipalities.models import Municipality
from participation.redirects import safe_next
from server import limits
from server.auth import actor_of, sign_out_cookies, start_browser_session
from server.face import DEMO_SLUGS
from server.pages import intents, security
from server.pages.forms import error_page, field_errors, read_form
from server.settings import Settings
from server.templating import render, render_text
from server.web import Pages


async def sign_in_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    return render(
        request,
        "pages/sign_in.html",
        values={"next": next_path},
        errors={},
        intent=await intents.described(next_path),
    )


async def sign_in_submit(request: Request) -> Response:
    try:
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    values = {k: str(form.get(k) or "") for k in ("email", "display_name")}
    values["next"] = safe_next(form.get("next"))
    # Per address too, so nobody can flood someone else's inbox with sign-in links.
    await limits.check(request, limits.SIGN_IN_LINK, values["email"].strip().lower())
    try:
        user, token = await commands.request_sign_in_link(
            values["email"], values["display_name"], values["next"]
        )
    except InvalidInput as exc:
        return render(
            request,
            "pages/sign_in.html",
            status=422,
            values=values,
            errors=field_errors(exc),
            intent=await intents.described(values["next"]),
        )
    settings = request.app.state.settings
    link = f"{settings.base_url}/sign-in/link?{urlencode({'token': token})}"
    context = {"link": link, "name": user.display_name, "minutes": commands.LINK_MINUTES}
    await request.app.state.jobs.enqueue(
        "send_email",
        to=user.email,
        subject=render_text("email/accounts_sign_in_link/subject.txt", **context).strip(),
        text=render_text("email/accounts_sign_in_link/body.txt", **context),
        html=render_text("email/accounts_sign_in_link/body.html", **context),
    )
    return render(
        request,
        "pages/sign_in_sent.html",
        email=user.email,
        dev_mailbox=_mailbox_on(request),
        # Not by her account: whoever typed the address would learn from what is left out
        # whether its owner declared a residence or agreed to emails.
        intent=await intents.described(values["next"]),
    )


async def _unused(token: str) -> SignInToken | None:
    """An unused link, to say where it leads before it is used; its hash as commands store it."""
    if not token or len(token) > 200:
        return None
    return await SignInToken.get_or_none(
        token_hash=hashlib.sha256(token.encode()).hexdigest(), used_at=None
    )


async def link_confirm(request: Request) -> Response:
    """Ask for one click: mail scanners that prefetch links must not use them up.

    A link on the way to co-signing says all that signing in will do there, and offers
    to sign in only: somebody else may have asked for this link with her address.
    """
    token = request.query_params.get("token", "")
    link = await _unused(token)
    return render(
        request,
        "pages/sign_in_link.html",
        token=token,
        intent=await intents.described(link.next_path, link.user_id) if link else None,
    )


async def link_redeem(request: Request) -> Response:
    await limits.check(request, limits.SIGN_IN)
    try:
        form = await read_form(request)
        user, next_path = await commands.redeem_sign_in_link(str(form.get("token") or ""))
    except DomainError as exc:
        return error_page(request, exc)
    if form.get(intents.INTENT) == intents.SIGN:
        next_path = await intents.complete(request, user.id, next_path)
    else:
        next_path = intents.without_intent(next_path)
    response = RedirectResponse(await security.after_link(user.id, next_path), status_code=303)
    response.raw_headers.extend(
        (b"set-cookie", value) for value in await start_browser_session(request, user.id)
    )
    return response


async def sign_out(request: Request) -> Response:
    try:
        await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    actor = await actor_of(request)
    if actor is not None and actor.session_id is not None:
        await sessions.revoke_session(actor, actor.session_id)
    response = RedirectResponse("/", status_code=303)
    response.raw_headers.extend(
        (b"set-cookie", value) for value in sign_out_cookies(request.app.state.settings)
    )
    return response


def mailbox_enabled(settings: Settings) -> bool:
    """The dev mailbox shows everyone's sign-in links: demo and debug only, never with SMTP."""
    return settings.dev_mailbox


def _mailbox_on(request: Request) -> bool:
    return mailbox_enabled(request.app.state.settings)


async def _tied_to_real_towns() -> set[str]:
    """The addresses of people tied to a municipality that is no demo town: a role, a
    residence, a declaration, or a role waiting on the address."""
    real = await Municipality.exclude(slug__in=DEMO_SLUGS).values_list("id", flat=True)
    if not real:
        return set()
    users: set[int] = set()
    for model in (Membership, Residency, ResidenceDeclaration):
        rows = await model.filter(municipality_id__in=real).values("user_id")
        users.update(row["user_id"] for row in rows)
    emails = await User.filter(id__in=users).values_list("email", flat=True)
    waiting = await PendingRole.filter(municipality_id__in=real).values_list("email", flat=True)
    return {str(email) for email in [*emails, *waiting]}


async def mailbox(request: Request) -> Response:
    """The last mail sent. The page is open to anyone, so mail to someone tied to a real
    municipality (founded beside the demo's towns) is never shown here, as the footer
    never links here for her."""
    tied = await _tied_to_real_towns()
    messages = await MailboxMessage.exclude(to__in=tied).order_by("-id").limit(50)
    return render(request, "pages/mailbox.html", messages=messages)


ROUTES = [
    Route("/sign-in", sign_in_form, methods=["GET"]),
    Route("/sign-in", sign_in_submit, methods=["POST"]),
    Route("/sign-in/link", link_confirm, methods=["GET"]),
    Route("/sign-in/link", link_redeem, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
]
MAILBOX = Route("/dev/mailbox", mailbox)

PAGES = Pages(30, ROUTES, optional=lambda settings: [MAILBOX] if mailbox_enabled(settings) else [])
