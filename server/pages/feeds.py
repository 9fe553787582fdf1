"""Atom feeds of public timelines: one per mandate, one per municipality.

A feed is public and the same for everyone, so it ignores who asks: a draft's feed does
not exist (404), even for its initiator. Entries are rendered with the timeline's own
templates (each kind's in `timeline/<kind>.html`), in German unless `?lang=en`. Links are
absolute, built from BASE_URL, never from the Host header.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.errors import DomainError, NotFound
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug
from participation.timeline.queries import newest, newest_in_municipality
from server import i18n
from server.pages.forms import error_page
from server.templating import render_text
from server.web import Pages

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
CACHE_CONTROL = "public, max-age=60"
TITLE_MAX = 140
# XML 1.0 allows neither these control characters nor unpaired surrogates; lxml refuses
# them, and user text (a reason, a title) must not turn a feed into a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


class _Text(HTMLParser):
    """The words of a rendered entry, without its <time> (the feed has its own)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "time":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "time" and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _summary(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = " ".join(" ".join(parser.parts).split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def _author(entry: dict[str, Any]) -> str | None:
    """Who acted, as the public sees it: role and department where the entry has them
    (an answer, an assignment), else the person's display name; None for the platform."""
    data = entry["data"]
    department = data.get("department")
    if isinstance(department, dict):
        department = department.get("name")
    parts = [p for p in (data.get("role"), department) if isinstance(p, str) and p.strip()]
    if parts:
        return ", ".join(parts)
    if entry["actor"]:
        return str(entry["actor"]["display_name"])
    return None


def _tag(base_url: str, day: datetime, specific: str) -> str:
    """A tag: URI (RFC 4151): stable for as long as the entry exists, whatever its URL."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{day.astimezone(UTC):%Y-%m-%d}:auftrag/{specific}"


def _locale(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else i18n.DEFAULT


def _build(
    request: Request,
    *,
    feed_id: str,
    title: str,
    subtitle: str | None,
    page: str,
    since: datetime,
    author: str,
    entries: list[dict[str, Any]],
    with_mandate_title: bool,
) -> Response:
    base = request.app.state.settings.base_url.rstrip("/")
    locale = _locale(request)
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(_xml(title))
    if subtitle:
        feed.subtitle(_xml(subtitle))
    feed.link(href=base + page, rel="alternate", type="text/html")
    self_path = request.url.path + ("?lang=en" if locale == "en" else "")
    feed.link(href=base + self_path, rel="self", type="application/atom+xml")
    feed.author(name=_xml(author))
    feed.language(locale)
    feed.generator("Auftrag", uri=base + "/")
    feed.updated(entries[0]["created_at"] if entries else since)
    for entry in entries:
        html = _xml(render_text("partials/timeline_entry.html", e=entry))
        summary = _summary(html)
        if with_mandate_title:
            summary = f"{entry['mandate']['title']}: {summary}"
        item = feed.add_entry(order="append")
        item.id(
            _tag(
                request.app.state.settings.base_url,
                entry["created_at"],
                f"timeline-entry/{entry['id']}",
            )
        )
        item.title(_xml(summary))
        item.updated(entry["created_at"])
        item.published(entry["created_at"])
        item.link(
            href=f"{base}/mandates/{entry['mandate_id']}#entry-{entry['id']}",
            rel="alternate",
            type="text/html",
        )
        who = _author(entry)
        if who:
            item.author(name=_xml(who))
        item.category(term=entry["kind"])
        item.content(html, type="html")
    body = feed.atom_str(pretty=False)
    return _cached(request, body, entries[0]["created_at"] if entries else since)


def _cached(request: Request, body: bytes, modified: datetime) -> Response:
    """A conditional GET answered with 304 when the reader has this very feed."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
        "Cache-Control": CACHE_CONTROL,
    }
    wanted = {
        t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")
    }
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


def _in_language(request: Request) -> contextvars.Token[str]:
    return i18n.activate(_locale(request))


async def mandate_feed(request: Request) -> Response:
    """The mandate's newest timeline entries, newest first."""
    token = _in_language(request)
    try:
        mandate = await Mandate.get_or_none(id=request.path_params["mandate_id"])
        if mandate is None or mandate.status == Status.DRAFT:
            raise NotFound(Message("This mandate does not exist."))
        municipality = await Municipality.get(id=mandate.municipality_id)
        return _build(
            request,
            feed_id=_tag(
                request.app.state.settings.base_url, mandate.created_at, f"mandate/{mandate.id}"
            ),
            title=f"{mandate.title} · {municipality.name}",
            subtitle=mandate.summary,
            page=f"/mandates/{mandate.id}",
            since=mandate.created_at,
            author=municipality.name,
            entries=await newest(mandate.id),
            with_mandate_title=False,
        )
    except DomainError as exc:
        return error_page(request, exc)
    finally:
        i18n.deactivate(token)


async def municipality_feed(request: Request) -> Response:
    """The newest entries of every public mandate of the municipality, newest first."""
    token = _in_language(request)
    try:
        municipality = await municipality_by_slug(request.path_params["slug"])
        if municipality is None:
            raise NotFound(Message("This municipality does not exist."))
        return _build(
            request,
            feed_id=_tag(
                request.app.state.settings.base_url,
                municipality.created_at,
                f"municipality/{municipality.id}",
            ),
            title=i18n.gettext(Message("Mandates · %(name)s", name=municipality.name)),
            subtitle=i18n.gettext(
                Message(
                    "What happens to the mandates of %(name)s, in public.", name=municipality.name
                )
            ),
            page=f"/m/{municipality.slug}",
            since=municipality.created_at,
            author=municipality.name,
            entries=await newest_in_municipality(municipality.id),
            with_mandate_title=True,
        )
    except DomainError as exc:
        return error_page(request, exc)
    finally:
        i18n.deactivate(token)


PAGES = Pages(
    5,
    [
        Route("/mandates/{mandate_id:id}/feed.atom", mandate_feed),
        Route("/m/{slug}/feed.atom", municipality_feed),
    ],
)
