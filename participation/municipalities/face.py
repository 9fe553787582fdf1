"""How a municipality looks: its primary colour, welcome text and coat of arms, and the
texts of its legal pages (participation/municipalities/legal.py), set by its administrators.

A colour is taken only if white text on it reaches WCAG AA contrast (4.5:1, by the relative
luminance of WCAG 2.x), since the header and buttons put white text on it; the reason and
the measured ratio are named when it does not. A crest is PNG or JPEG by content (its
signature and a full decode with Pillow), at most 2 MB, and stored re-encoded at most
512 px wide and high: no metadata, text chunks or anything else of the upload survive.
"""

from __future__ import annotations

import asyncio
import io
import re
import warnings
from collections.abc import Mapping
from typing import Any, BinaryIO

from PIL import Image, UnidentifiedImageError

from participation import text, unit
from participation.actors import Actor
from participation.errors import DomainError, FieldError, InvalidInput, NotFound
from participation.files import storage
from participation.messages import Message
from participation.municipalities import legal
from participation.municipalities.actions import CONFIGURE_MUNICIPALITY
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.municipalities.settings import Invalid
from participation.permissions import require

CREST_FIELD = "coat_of_arms"
MAX_CREST_BYTES = 2 * 1024 * 1024
CREST_SIDE = 512
# Enough for any scan of a crest; keeps the decode cheap.
MAX_CREST_PIXELS = 25_000_000
WELCOME_MAX = 500
AA_CONTRAST = 4.5
WHITE = "#ffffff"
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


class CrestTooLarge(DomainError):
    """413 naming the field, as for a body over the route's cap."""

    status = 413
    title = "Payload too large"


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


def ratio_text(value: float) -> str:
    """A ratio as WCAG writes it, rounded down so that 4.499 never reads 4.5."""
    return f"{int(value * 100) / 100:.2f}:1"


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
                "White text on %(color)s has a contrast of only %(ratio)s; WCAG AA asks for "
                "at least 4.5:1, so choose a darker colour.",
                color=color,
                ratio=ratio_text(ratio),
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
    cleaned: dict[str, Any] = {}
    problems: list[FieldError] = []
    for name, value in changes.items():
        cleaner = CLEANERS.get(name)
        if cleaner is None:
            problems.append(FieldError(name, Message("Unknown field %(name)r.", name=name)))
            continue
        try:
            cleaned[name] = cleaner(value)
        except Invalid as exc:
            problems.append(FieldError(name, exc.message))
    return cleaned, problems


async def _configurable(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, CONFIGURE_MUNICIPALITY, await place_of(municipality.id))
    return municipality


async def _changed(municipality: Municipality, actor: Actor | None, values: dict[str, Any]) -> None:
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
    municipality = await _configurable(actor, slug)
    cleaned, problems = clean(changes)
    if problems:
        detail = problems[0].message if len(problems) == 1 else Message("The settings are invalid.")
        raise InvalidInput(detail, problems)
    if "welcome_text" in cleaned:
        welcome = cleaned["welcome_text"]
        cleaned["welcome_html"] = await text.render(welcome, "welcome_text") if welcome else None
    if cleaned:
        await _changed(municipality, actor, cleaned)
    return municipality


def _refuse(message: Message) -> InvalidInput:
    return InvalidInput.on(CREST_FIELD, message)


NOT_AN_IMAGE = Message("The coat of arms must be a PNG or JPEG image.")
TOO_LARGE = Message(
    "The coat of arms may have at most %(mb)s MB.", mb=MAX_CREST_BYTES // (1024 * 1024)
)


def reencode(data: bytes) -> tuple[bytes, str]:
    """The crest decoded and written anew, at most CREST_SIDE pixels on each side, and its
    content type; InvalidInput on `coat_of_arms` unless it is a whole PNG or JPEG."""
    if data.startswith(_PNG):
        fmt = "PNG"
    elif data.startswith(_JPEG):
        fmt = "JPEG"
    else:
        raise _refuse(NOT_AN_IMAGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_CREST_PIXELS:
                    raise _refuse(Message("The coat of arms has too many pixels."))
                image.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()
                picture = image.convert("RGBA" if fmt == "PNG" else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(NOT_AN_IMAGE) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _refuse(Message("The coat of arms has too many pixels.")) from None
    picture.thumbnail((CREST_SIDE, CREST_SIDE))
    out = io.BytesIO()
    if fmt == "PNG":
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "JPEG", quality=90)
    return out.getvalue(), CONTENT_TYPES[fmt]


def _read(data: bytes | BinaryIO) -> bytes:
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_CREST_BYTES:
            raise CrestTooLarge(TOO_LARGE, [FieldError(CREST_FIELD, TOO_LARGE)])
        return bytes(data)
    content = data.read(MAX_CREST_BYTES + 1)
    if len(content) > MAX_CREST_BYTES:
        raise CrestTooLarge(TOO_LARGE, [FieldError(CREST_FIELD, TOO_LARGE)])
    return content


async def set_coat_of_arms(actor: Actor | None, slug: str, data: bytes | BinaryIO) -> Municipality:
    """Put up the municipality's coat of arms, replacing the one before.

    Raises NotFound, PermissionDenied, CrestTooLarge (over 2 MB) and InvalidInput on
    `coat_of_arms` for anything but a whole PNG or JPEG (SVG, HTML, a cut-off file);
    nothing is stored then. Records `municipalities:face:changed`.
    """
    municipality = await _configurable(actor, slug)
    content = _read(data)
    if not content:
        raise _refuse(Message("Choose an image to upload."))
    encoded, content_type = await asyncio.to_thread(reencode, content)
    key = await asyncio.to_thread(storage.current().put, encoded)
    await _changed(
        municipality, actor, {"coat_of_arms_key": key, "coat_of_arms_type": content_type}
    )
    return municipality


async def remove_coat_of_arms(actor: Actor | None, slug: str) -> Municipality:
    """Take the coat of arms down; the header shows the name alone. Raises NotFound and
    PermissionDenied."""
    municipality = await _configurable(actor, slug)
    if municipality.coat_of_arms_key is not None:
        await _changed(municipality, actor, {"coat_of_arms_key": None, "coat_of_arms_type": None})
    return municipality


def crest_url(municipality: Municipality) -> str | None:
    """Where the crest is served, with its content key in it, so it may be cached forever."""
    key = municipality.coat_of_arms_key
    return f"/m/{municipality.slug}/coat-of-arms/{key[:16]}" if key else None


def theme_url(municipality: Municipality) -> str | None:
    color = municipality.primary_color
    return f"/m/{municipality.slug}/theme.css?v={color[1:]}" if color else None
