"""Pages of service visits: the invitation's links (open, the satisfaction score, a comment)
and the administrators' catalogue and rules.

A score link records the score on the first click of a person, and once: a second click,
of any score, shows the score already given. Link scanners of mail providers fetch every
link of a message, so a plain GET records nothing; only a navigation the browser marks as
the user's own (`Sec-Fetch-User: ?1`, sent by every current browser when someone clicks a
link) records at once. Without that header the page asks to confirm the score with one
button, a POST with CSRF token, which scanners do not send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications.visits import commands, links, offer, rules
from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotAuthenticated
from participation.messages import Message
from server import i18n
from server.auth import actor_of
from server.pages.forms import (
    action,
    error_page,
    field_errors,
    for_page,
    posted,
    read_form,
    sign_in_redirect,
)
from server.templating import render
from server.web import Pages

EMPTY_ROWS = 3


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def open_invitation(request: Request) -> Response:
    try:
        target = await commands.open_invitation(request.path_params["token"])
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(target, status_code=303)


def _score(request: Request) -> int:
    score = request.path_params["score"]
    if score not in rules.SCORES:
        raise InvalidInput.on("score", Message("Give a score from 1 to 5."))
    return int(score)


def _feedback_page(
    request: Request,
    found: commands.Feedback,
    chosen: int,
    errors: dict[str, str] | None = None,
    typed: str = "",
) -> Response:
    token = found.invitation.token
    if chosen:  # the page's own address, for the language switch after a POST
        for_page(request, links.score_path(token, chosen))
    return render(
        request,
        "pages/service_feedback.html",
        status=422 if errors else 200,
        feedback=found,
        service_name=found.service.name_de if i18n.current() == "de" else found.service.name_en,
        chosen=chosen,
        confirm_action=links.score_path(token, chosen),
        comment_action=links.comment_path(token),
        consultation=links.open_path(token),
        errors=errors or {},
        typed=typed,
        thanks=request.query_params.get("thanks") == "1",
    )


async def satisfaction_link(request: Request) -> Response:
    try:
        score = _score(request)
        token = request.path_params["token"]
        if request.headers.get("sec-fetch-user") == "?1":
            found = await commands.give_satisfaction(token, score)
        else:
            found = await commands.feedback(token)
    except DomainError as exc:
        return error_page(request, exc)
    return _feedback_page(request, found, score)


async def confirm_satisfaction(request: Request) -> Response:
    try:
        score = _score(request)
        await read_form(request)
        await commands.give_satisfaction(request.path_params["token"], score)
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(request.url.path, status_code=303)


async def comment(request: Request) -> Response:
    token = request.path_params["token"]
    form: FormData | None = None
    try:
        form = await read_form(request)
        found = await commands.comment_on_service(token, _text(form, "comment"))
    except InvalidInput as exc:
        try:
            found = await commands.feedback(token)
        except DomainError as missing:
            return error_page(request, missing)
        typed = _text(form, "comment") if form is not None else ""
        errors = field_errors(exc)
        return _feedback_page(request, found, found.invitation.score or 0, errors, typed)
    except DomainError as exc:
        return error_page(request, exc)
    score = found.invitation.score or 1
    return RedirectResponse(f"{links.score_path(token, score)}?thanks=1", status_code=303)


# -- administrators -------------------------------------------------------------------------


async def _settings_page(
    request: Request,
    actor: Actor,
    slug: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """`errors` and the posted `values` of a refused form, shown again."""
    services = await offer.service_catalogue(actor, slug)
    current = await offer.invitation_rules(actor, slug)
    municipality = await offer.municipality_here(slug)
    by_code = {r.service_type: r for r in current.rules}
    return render(
        request,
        "pages/service_visits_admin.html",
        status=422 if errors else 200,
        municipality=municipality,
        services=services,
        rules=by_code,
        cap_days=current.cap_days,
        empty_rows=range(len(services), len(services) + EMPTY_ROWS),
        errors=errors or {},
        values=values or {},
        saved=request.query_params.get("saved"),
    )


async def settings_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        return await _settings_page(request, actor, request.path_params["slug"])
    except NotAuthenticated:
        return sign_in_redirect(request)
    except DomainError as exc:
        return error_page(request, exc)


def _services(form: FormData) -> list[offer.Service]:
    found = []
    rows = _text(form, "rows")
    for n in range(min(int(rows), 200) if rows.isdigit() else 0):
        row = [_text(form, f"services.{n}.{name}") for name in ("code", "name_de", "name_en")]
        if any(value.strip() for value in row):
            found.append(offer.Service(*row))
    return found


def _rules(form: FormData, services: list[offer.Service]) -> offer.Rules:
    text = _text(form, "cap_days").strip()
    if not text.isdigit():
        raise InvalidInput.on("cap_days", Message("Give a number of days."))
    chosen = []
    for service in services:
        topics = tuple(t for t in _text(form, f"topics.{service.code}").split(",") if t.strip())
        district = form.get(f"district.{service.code}") == "1"
        if topics or district:
            chosen.append(offer.Rule(service.code, topics, district))
    return offer.Rules(int(text[:4]), tuple(chosen))


def _settings_form(rules_form: bool) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        slug = request.path_params["slug"]
        back = f"/m/{slug}/service-visits/settings"

        async def run(actor: Actor, form: FormData) -> Response:
            try:
                if rules_form:
                    services = await offer.service_catalogue(actor, slug)
                    await offer.replace_invitation_rules(actor, slug, _rules(form, services))
                else:
                    await offer.replace_catalogue(actor, slug, _services(form))
            except InvalidInput as exc:
                return await _settings_page(request, actor, slug, field_errors(exc), posted(form))
            saved = "rules" if rules_form else "catalogue"
            return RedirectResponse(f"{back}?saved={saved}", status_code=303)

        return await action(request, run, back)

    return handle


ROUTES = [
    Route("/invitations/{token}", open_invitation),
    Route("/invitations/{token}/satisfaction/{score:int}", satisfaction_link, methods=["GET"]),
    Route("/invitations/{token}/satisfaction/{score:int}", confirm_satisfaction, methods=["POST"]),
    Route("/invitations/{token}/comment", comment, methods=["POST"]),
    Route("/m/{slug}/service-visits/settings", settings_page, methods=["GET"]),
    Route("/m/{slug}/service-visits/catalogue", _settings_form(False), methods=["POST"]),
    Route("/m/{slug}/service-visits/rules", _settings_form(True), methods=["POST"]),
]

PAGES = Pages(7, ROUTES)
