"""Jinja2 pages with gettext, the current locale and the CSRF token always at hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Match, Route

from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.redirects import safe_next
from server import i18n, notice, security_headers
from server.csrf import CSRF_FIELD, csrf_token
from server.face import Face, face_of
from server.header_links import Places

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
BERLIN = ZoneInfo("Europe/Berlin")

env = Environment(
    loader=FileSystemLoader(FRONTEND / "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


def _local_time(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(BERLIN), format=fmt, locale=i18n.current())


def _local_date(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Timeline entries keep their times as ISO text in their JSON data.
        value = datetime.fromisoformat(value)
    return format_date(value.astimezone(BERLIN), format="long", locale=i18n.current())


def _calendar_date(value: date | str | None) -> str:
    """A calendar day (or its ISO text, as timeline entries keep it) in the reader's language."""
    if value is None or value == "":
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=i18n.current())


def _number(value: int) -> str:
    return format_decimal(value, locale=i18n.current())


def _decimal(value: float | None, digits: int = 1) -> str:
    """A figure with exactly `digits` decimals in the reader's notation (4,0 in German)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0." + "0" * digits, locale=i18n.current())


def page_path(request: Request) -> str:
    """The GET page this answer shows: the request's own path and query for a GET; for the
    answer to a POST (a form shown again with its errors) the page its handler named with
    `server.pages.forms.for_page`, else the page the form was sent from (the Referer's
    path on this site), else the start page. Never an address from the Host header."""
    if request.method in ("GET", "HEAD"):
        own = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
        return safe_next(own)
    named = getattr(request.state, "page_path", None)
    if isinstance(named, str):
        return safe_next(named)
    if _has_get_page(request):
        return safe_next(request.url.path)
    referer = urlsplit(request.headers.get("referer", ""))
    path = f"{referer.path}?{referer.query}" if referer.query else referer.path
    return safe_next(path)


def _has_get_page(request: Request) -> bool:
    """Whether the POST's own address is also a page (a form posted to where it is shown)."""
    router = getattr(request.app, "router", None)
    scope = {**request.scope, "method": "GET"}
    routes = getattr(router, "routes", ())
    return any(isinstance(r, Route) and r.matches(scope)[0] == Match.FULL for r in routes)


def in_language(request: Request, locale: str) -> str:
    """This page in another language, as a path (the matching GET page after a POST)."""
    parts = urlsplit(page_path(request))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    query.append(("lang", locale))
    return safe_next(f"{parts.path}?{urlencode(query)}", fallback=f"/?lang={locale}")


env.globals["in_language"] = in_language
env.filters["safe_next"] = safe_next
env.filters["local_time"] = _local_time
env.filters["local_date"] = _local_date
env.filters["number"] = _number
env.filters["calendar_date"] = _calendar_date
env.filters["decimal"] = _decimal


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.update(
        request=request,
        locale=i18n.current(),
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request),
        csp_nonce=security_headers.nonce(request),
        actor=getattr(request.state, "actor", None),
        # (slug, name, overdue count) per municipality the actor works for as council.
        council_queues=getattr(request.state, "council_queues", ()),
        # (slug, name, open items) per municipality the actor moderates.
        moderation_queues=getattr(request.state, "moderation_queues", ()),
        # Unread notifications of the signed-in person, for the header's inbox link.
        inbox_unread=getattr(request.state, "inbox_unread", 0),
        # Her own municipality and those she administers (server/header_links.py).
        header_places=getattr(request.state, "header_places", None),
        debug=request.app.state.settings.debug,
        # The problem of a refused single-button form posted just before (server/notice.py).
        refusal=notice.read(request, request.app.state.settings),
    )
    context["face"] = _face(request, context.get("municipality"))
    context["demo_mailbox"] = _demo_mailbox(
        request, context["face"], context["actor"], context["header_places"]
    )
    html = env.get_template(template).render(context)
    response = HTMLResponse(html, status_code=status)
    if notice.present(request, request.app.state.settings):
        notice.cleared(response, request.app.state.settings)
    return response


def _face(request: Request, municipality: object) -> Face | None:
    """The page's municipality: the one it renders, else the one its path names."""
    if isinstance(municipality, Municipality):
        return face_of(municipality)
    found = getattr(request.state, "face", None)
    return found if isinstance(found, Face) else None


def _demo_mailbox(
    request: Request, face: Face | None, actor: object, places: Places | None
) -> bool:
    """The dev mailbox's link: in demo mode only; never to someone signed in on the pages
    of a real municipality, nor on any page to someone tied to one (a role, a residence)."""
    settings = request.app.state.settings
    if not (settings.demo and settings.dev_mailbox):
        return False
    if actor is None:
        return True
    # A page drawn after a POST read no places: without them, only the untied see it.
    if places is not None:
        tied = places.real_town
    else:
        tied = isinstance(actor, Actor) and bool(actor.roles or actor.residencies or actor.declared)
    return not tied and (face is None or face.demo)


def render_text(template: str, **context: Any) -> str:
    """A template outside a request: emails and the entries of Atom feeds."""
    return env.get_template(template).render(context)
