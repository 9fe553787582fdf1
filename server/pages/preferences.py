"""The notification settings page, where a person sees and changes all of it, and the
follow and unfollow buttons of mandates, votes, districts and topics."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications import follows, preferences
from notifications.kinds import Category
from notifications.models import FollowSubject
from notifications.preferences import KindChange, SettingsChange
from participation.accounts.identity.consent import (
    EMAIL_NOTIFICATIONS,
    TOPICS,
    Topic,
    has_consent,
    update_consents,
)
from participation.actors import Actor
from participation.errors import Conflict, DomainError, InvalidInput
from participation.redirects import safe_next
from server import i18n
from server.auth import actor_of
from server.pages.forms import bounced, error_page, field_errors, read_form, sign_in_redirect
from server.templating import render
from server.web import Pages

PATH = "/me/notifications/settings"
# Two selects per kind, plus quiet hours, language, consent and the token.
FIELDS = 2 * 200 + 10


async def following(
    actor: Actor | None, subject_type: FollowSubject, key: str | int, municipality_id: int
) -> dict[str, Any]:
    """What a follow button needs: the subject, and whether she follows it now."""
    return {
        "type": subject_type.value,
        "key": str(key),
        "following": await follows.is_following(actor, subject_type, str(key), municipality_id),
    }


async def email_offer(actor: Actor | None) -> Topic | None:
    """The consent a sign form's "also by email" box grants, unless she gave it already."""
    if actor is not None and await has_consent(actor.user_id, EMAIL_NOTIFICATIONS):
        return None
    return TOPICS[EMAIL_NOTIFICATIONS]


async def grant_from_form(actor: Actor, form: FormData) -> None:
    """The "also by email" box, if ticked: consent to the wording version it showed."""
    if form.get(EMAIL_NOTIFICATIONS) != "yes":
        return
    version = str(form.get(f"{EMAIL_NOTIFICATIONS}_version") or "")
    await update_consents(actor, {EMAIL_NOTIFICATIONS: (True, version)})


def _grouped(found: preferences.Preferences) -> list[tuple[Category, list[Any]]]:
    groups: dict[Category, list[Any]] = {}
    for choice in found.kinds:
        groups.setdefault(choice.kind.category, []).append(choice)
    return list(groups.items())


async def _render(
    request: Request,
    actor: Actor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
) -> Response:
    found = await preferences.preferences_of(actor)
    saved = request.query_params.get("saved")
    summary = {_field_id(k): v for k, v in (errors or {}).items()}
    return render(
        request,
        "pages/notification_settings.html",
        status=status,
        summary={"": problem} if problem else summary,
        preferences=found,
        groups=_grouped(found),
        follows=await follows.follows_of(actor),
        language=i18n.current(),
        errors=errors or {},
        problem=problem,
        saved=saved in ("settings", "unfollowed"),
    )


def _field_id(name: str) -> str:
    """The id of the page's field an error is about: `email:<event>` is `email-<event>`."""
    fixed = {"wording_version": "consent-email", "language": "email-language"}
    if name in fixed:
        return fixed[name]
    return name.removeprefix("quiet_hours.").replace(":", "-")


async def settings_page(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    return await _render(request, actor)


def _hour(form: FormData, name: str, problems: dict[str, str]) -> int | None:
    value = str(form.get(name) or "")
    if value.isascii() and value.isdigit() and len(value) <= 2:
        return int(value)
    problems[f"quiet_hours.{name}"] = i18n.gettext("An hour from 0 to 23.")
    return None


def _changes(form: FormData) -> list[KindChange]:
    """Every kind on the page; a kind that is not optional has no inbox select."""
    return [
        KindChange(
            kind.event,
            inbox=str(form.get(f"inbox:{kind.event}") or "") if kind.optional else None,
            email=str(form.get(f"email:{kind.event}") or ""),
        )
        for kind in preferences.ordered_kinds()
    ]


def _by_event(errors: dict[str, str], changes: list[KindChange]) -> dict[str, str]:
    """`kinds.3.email` as the page names its select, `email:<event>`."""
    named: dict[str, str] = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "kinds" and len(parts) == 3 and parts[1].isdigit():
            named[f"{parts[2]}:{changes[int(parts[1])].event}"] = message
        else:
            named[name] = message
    return named


async def save_settings(request: Request) -> Response:
    """The whole page in one post; nothing is stored unless all of it is valid."""
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, PATH)
    try:
        form = await read_form(request, max_fields=FIELDS)
    except DomainError as exc:
        return error_page(request, exc)
    problems: dict[str, str] = {}
    start, end = _hour(form, "quiet_from", problems), _hour(form, "quiet_until", problems)
    changes = _changes(form)
    if problems:
        return await _render(request, actor, status=422, errors=problems)
    consented = form.get(EMAIL_NOTIFICATIONS) == "yes"
    version = str(form.get(f"{EMAIL_NOTIFICATIONS}_version") or "") or None
    try:
        await preferences.change_preferences(
            actor,
            changes,
            SettingsChange(
                quiet_hours=form.get("quiet_hours") == "yes",
                quiet_from=start,
                quiet_until=end,
                language=str(form.get("language") or ""),
            ),
            email_consent=(consented, version),
        )
    except InvalidInput as exc:
        errors = _by_event(field_errors(exc), changes)
        return await _render(request, actor, status=422, errors=errors)
    except Conflict as exc:
        return await _render(request, actor, status=409, problem=i18n.gettext(exc.detail))
    return RedirectResponse(f"{PATH}?saved=settings", status_code=303)


async def follow_submit(request: Request) -> Response:
    """A follow or unfollow button: back to the page it was on, at the button."""
    actor = await actor_of(request)
    back = PATH
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    back = safe_next(form.get("next"), PATH)
    command = follows.unfollow if form.get("action") == "unfollow" else follows.follow
    try:
        await command(
            actor,
            str(form.get("subject_type") or ""),
            str(form.get("subject_id") or ""),
            str(form.get("municipality") or "") or None,
        )
    except DomainError as exc:
        return bounced(request, exc, back)
    return RedirectResponse(back, status_code=303)


ROUTES = [
    Route(PATH, settings_page, methods=["GET"]),
    Route(PATH, save_settings, methods=["POST"]),
    Route("/me/follows", follow_submit, methods=["POST"]),
]

PAGES = Pages(45, ROUTES)
