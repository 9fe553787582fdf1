"""How an email reads: the kind's templates, in the recipient's language.

Each kind has `frontend/templates/email/<event with ':' as '.'>/` with `subject.txt`,
`body.txt` and `body.html`; the bodies extend `email/layout.*`, which greets her and ends
with the link that unsubscribes from the kind's category. Texts go through gettext like
every page's, so German and English share one template. A digest lists the subject lines
of its notifications, grouped by what they are about.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape

from notifications.kinds import Category, template_dir
from participation import translations
from participation.messages import Message

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
DIGEST = "email/digest"

CATEGORY_NAMES = {
    Category.MANDATES: Message("mandates"),
    Category.COUNCIL_WORK: Message("the council's work on mandates"),
    Category.VOTES: Message("priority votes"),
    Category.DISCUSSIONS: Message("discussions"),
    Category.MODERATION: Message("moderation"),
    Category.COUNCIL: Message("council duties"),
    Category.INVITATIONS: Message("invitations"),
}

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    # Templates change with a deployment, not while a worker runs: no stat per email.
    auto_reload=False,
)
_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "email_language", default=translations.DEFAULT
)


def gettext(message: str) -> str:
    """A domain Message is looked up by its id and gets its parameters after translation."""
    catalog = translations.catalog(_language.get())
    if isinstance(message, Message):
        return message.translated(catalog.gettext)
    return catalog.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations.catalog(_language.get()).ngettext(singular, plural, n)


env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Her language if the platform speaks it, else German, for the texts rendered here."""
    known = language if language in translations.LOCALES else translations.DEFAULT
    token = _language.set(known)
    try:
        yield known
    finally:
        _language.reset(token)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Item:
    """One notification as an email shows it."""

    event: str
    category: Category
    data: dict[str, Any]
    # What it is about, such as "mandate:42": a digest groups by it.
    subject: str = ""


@dataclass(frozen=True)
class Reader:
    """Who reads it: her name, language and time zone, and her unsubscribe link."""

    name: str
    language: str
    zone: ZoneInfo
    unsubscribe_url: str


def _moment(value: str | None, reader: Reader) -> str:
    """An ISO 8601 time from a kind's data, in her language and time zone."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return format_datetime(moment.astimezone(reader.zone), format="medium", locale=reader.language)


def _context(item: Item, reader: Reader, link: Any) -> dict[str, Any]:
    data = dict(item.data)
    data["url"] = link(str(data.get("url") or "/"))
    return {
        **data,
        "data": data,
        "name": reader.name,
        "language": _language.get(),
        "unsubscribe_url": reader.unsubscribe_url,
        "category_names": [gettext(CATEGORY_NAMES[item.category])],
        "when": lambda value: _moment(value, reader),
    }


def _subject(template: str, context: dict[str, Any]) -> str:
    text = env.get_template(f"{template}/subject.txt").render(context)
    return " ".join(text.split())


def one(item: Item, reader: Reader, link: Any) -> Rendered:
    """The email of one notification; `link` makes a path absolute."""
    with speaking(reader.language):
        template = f"email/{template_dir(item.event)}"
        context = _context(item, reader, link)
        context["title"] = subject = _subject(template, context)
        return Rendered(
            subject=subject,
            text=env.get_template(f"{template}/body.txt").render(context),
            html=env.get_template(f"{template}/body.html").render(context),
        )


@dataclass(frozen=True)
class Line:
    subject: str
    url: str


@dataclass(frozen=True)
class Group:
    """The notifications of a digest about one subject (a mandate, a vote…)."""

    title: str
    url: str
    lines: list[Line]


def digest(items: Sequence[Item], reader: Reader, link: Any) -> Rendered:
    """One email gathering `items`, grouped by subject in the order their first
    notification came."""
    with speaking(reader.language) as language:
        groups: dict[str, Group] = {}
        categories: list[Category] = []
        for item in items:
            context = _context(item, reader, link)
            line = Line(_subject(f"email/{template_dir(item.event)}", context), context["url"])
            group = groups.get(item.subject)
            if group is None:
                title = str(item.data.get("subject_title") or "")
                group = groups[item.subject] = Group(title, context["url"], [])
            group.lines.append(line)
            if item.category not in categories:
                categories.append(item.category)
        context = {
            "name": reader.name,
            "language": language,
            "count": len(items),
            "groups": list(groups.values()),
            "unsubscribe_url": reader.unsubscribe_url,
            "category_names": [gettext(CATEGORY_NAMES[c]) for c in categories],
        }
        context["title"] = subject = _subject(DIGEST, context)
        return Rendered(
            subject=subject,
            text=env.get_template(f"{DIGEST}/body.txt").render(context),
            html=env.get_template(f"{DIGEST}/body.html").render(context),
        )
