"""How a municipality looks: its primary colour, welcome text and coat of arms, and the
texts of its legal pages (participation/municipalities/legal.py), set by its administrators.

A colour is taken only if white text on it reaches WCAG AA contrast (4.5:1, by the relative
luminance of WCAG 2.x), since the header and buttons put white text on it; the reason and
the measured ratio are named when it does not. The crest itself is put up by
participation/files/crest.py, next to the store it lives in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from participation import text, unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.messages import Message
from participation.municipalities import legal, settings
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.municipalities.settings import Invalid
from participation.permissions import require

WELCOME_MAX = 500
AA_CONTRAST = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """The relative luminance of `#rrggbb` (WCAG 2.x)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ratio_shown(value: float) -> float:
    """A ratio to two decimals, rounded down so that 4.499 never reads 4.5; the reader's
    notation comes at translation (server/i18n.py)."""
    return int(value * 100) / 100


def _color(value: Any) -> str | None:
    if value is None or value == "":
        return None
    match = _HEX.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise Invalid(Message("Enter a colour as #rrggbb, such as #1d4f91."))
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    color = f"#{digits}"
    ratio = contrast(color, WHITE)
    if ratio < AA_CONTRAST:
        raise Invalid(
            Message(
                "White text on %(color)s has a contrast of only %(ratio)s:1; WCAG AA asks for "
                "at least %(minimum)s:1, so choose a darker colour.",
                color=color,
                ratio=ratio_shown(ratio),
                minimum=AA_CONTRAST,
            )
        )
    return color


def _welcome(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "\x00" in value:
        raise Invalid(Message("Enter text."))
    text = value.strip().replace("\r\n", "\n")
    if len(text) > WELCOME_MAX:
        raise Invalid(Message("The welcome text has at most %(max)s characters.", max=WELCOME_MAX))
    return text or None


CLEANERS = {"primary_color": _color, "welcome_text": _welcome, **legal.CLEANERS}
FIELDS = tuple(CLEANERS)


def clean(changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    return settings.clean(changes, CLEANERS)


async def configurable(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id))
    return municipality


async def changed(municipality: Municipality, actor: Actor | None, values: dict[str, Any]) -> None:
    async with unit.atomic() as u:
        await Municipality.filter(id=municipality.id).using_db(u.conn).update(**values)
        await u.record(
            "municipalities:face:changed",
            "municipality",
            municipality.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            fields=sorted(v for v in values if v != "welcome_html"),
        )
    await municipality.refresh_from_db()


async def update_face(actor: Actor | None, slug: str, changes: Mapping[str, Any]) -> Municipality:
    """Change the municipality's face and legal texts: any of primary_color (null: the
    platform's), welcome_text and the fields of participation/municipalities/legal.py.

    Raises NotFound, PermissionDenied (not an administrator here) and InvalidInput naming
    each bad field (a colour below AA contrast with white says its ratio); nothing changes
    when one is bad. Records `municipalities:face:changed` naming the fields sent.
    """
    municipality = await configurable(actor, slug)
    cleaned, problems = clean(changes)
    if problems:
        detail = problems[0].message if len(problems) == 1 else Message("The settings are invalid.")
        raise InvalidInput(detail, problems)
    cleaned = legal.dated(municipality, cleaned)
    if "welcome_text" in cleaned:
        welcome = cleaned["welcome_text"]
        cleaned["welcome_html"] = await text.render(welcome, "welcome_text") if welcome else None
    if cleaned:
        await changed(municipality, actor, cleaned)
    return municipality


def crest_url(municipality: Municipality) -> str | None:
    """Where the crest is served, with its content key in it, so it may be cached forever."""
    key = municipality.coat_of_arms_key
    return f"/m/{municipality.slug}/coat-of-arms/{key[:16]}" if key else None


def theme_url(municipality: Municipality) -> str | None:
    color = municipality.primary_color
    return f"/m/{municipality.slug}/theme.css?v={color[1:]}" if color else None
