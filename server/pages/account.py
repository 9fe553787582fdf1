"""The account page: display name, consents, a copy of one's data, deletion; and /privacy."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.query_utils import Prefetch

from participation import clock
from participation.accounts import privacy
from participation.accounts.identity import consent, profile
from participation.accounts.models import User
from participation.accounts.residency import declarations
from participation.actors import Actor
from participation.errors import Conflict, DomainError, InvalidInput
from participation.municipalities.models import District, Municipality
from server import i18n
from server.auth import actor_of, sign_out_cookies
from server.pages.forms import FormState, action, error_page, field_errors, sign_in_redirect
from server.templating import BERLIN, render
from server.web import Pages

SAVED = {"name", "consents", "residence"}


async def _render_account(
    request: Request,
    actor: Actor,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    section: str | None = None,
) -> Response:
    """`section` names the form ("name", "consents", "residence") whose `errors` and
    `values` are shown again."""
    user = await User.get_or_none(id=actor.user_id)
    if user is None:
        return sign_in_redirect(request, "/account")
    saved = request.query_params.get("saved")
    return render(
        request,
        "pages/account.html",
        status=status,
        user=user,
        consents=await consent.consents_of(actor),
        language=i18n.current(),
        values={"display_name": user.display_name} | (values or {}),
        errors=errors or {},
        section=section,
        saved=saved if saved in SAVED else None,
        residence=await declarations.residence_of(actor.user_id),
        municipalities=await Municipality.all()
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "districts", queryset=District.filter(retired_at__isnull=True).order_by("name")
            )
        ),
    )


async def account_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    return await _render_account(request, actor)


async def rename(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        name = str(form.get("display_name") or "")
        try:
            await profile.change_display_name(actor, name)
        except InvalidInput as exc:
            return await _render_account(
                request,
                actor,
                status=422,
                values={"display_name": name},
                errors=field_errors(exc),
                section="name",
            )
        return RedirectResponse("/account?saved=name", status_code=303)

    return await action(request, perform, "/account")


async def save_consents(request: Request) -> Response:
    """Every topic is on the form: a box left unticked withdraws what was granted."""

    async def perform(actor: Actor, form: FormData) -> Response:
        choices: dict[str, tuple[bool, str | None]] = {
            name: (form.get(name) == "yes", str(form.get(f"{name}_version") or "") or None)
            for name in consent.TOPICS
        }
        try:
            await consent.update_consents(actor, choices)
        except (InvalidInput, Conflict) as exc:
            message = i18n.gettext(exc.detail)
            return await _render_account(
                request, actor, status=exc.status, errors={"consents": message}, section="consents"
            )
        return RedirectResponse("/account?saved=consents#consents", status_code=303)

    return await action(request, perform, "/account")


async def account_again(request: Request, actor: Actor, state: FormState, status: int) -> Response:
    """The account page with a refused form of it (`state.form` its section)."""
    return await _render_account(
        request, actor, status=status, values=state.values, errors=state.errors, section=state.form
    )


async def download(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, "/account")
    try:
        document = await privacy.export_account(actor)
    except DomainError as exc:
        return error_page(request, exc)
    day = clock.now().astimezone(BERLIN).date().isoformat()
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="auftrag-export-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


def _render_delete(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(request, "pages/account_delete.html", status=status, **context)


async def delete_form(request: Request) -> Response:
    if await actor_of(request) is None:
        return sign_in_redirect(request)
    return _render_delete(request)


async def delete_submit(request: Request) -> Response:
    async def perform(actor: Actor, form: FormData) -> Response:
        typed = str(form.get("confirm_email") or "")
        try:
            await privacy.delete_account(actor, typed)
        except InvalidInput as exc:
            return _render_delete(
                request, 422, values={"confirm_email": typed}, errors=field_errors(exc)
            )
        except Conflict as exc:
            return _render_delete(request, 409, problem=i18n.gettext(exc.detail))
        response = RedirectResponse("/account/deleted", status_code=303)
        response.raw_headers.extend(
            (b"set-cookie", value) for value in sign_out_cookies(request.app.state.settings)
        )
        return response

    return await action(request, perform, "/account/delete")


async def deleted(request: Request) -> Response:
    return render(request, "pages/account_deleted.html")


async def privacy_notice(request: Request) -> Response:
    session_days = max(1, request.app.state.settings.session_hours // 24)
    return render(request, "pages/privacy.html", session_days=session_days)


ROUTES = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/name", rename, methods=["POST"]),
    Route("/account/consents", save_consents, methods=["POST"]),
    Route("/account/export", download, methods=["GET"]),
    Route("/account/delete", delete_form, methods=["GET"]),
    Route("/account/delete", delete_submit, methods=["POST"]),
    Route("/account/deleted", deleted, methods=["GET"]),
    Route("/privacy", privacy_notice, methods=["GET"]),
]

PAGES = Pages(40, ROUTES)
