"""A municipality's coat of arms: only ever a PNG or JPEG, decoded in full and stored
re-encoded (participation/municipalities/face.py has the rest of its face).

A crest is PNG or JPEG by content (its signature and a full decode with Pillow), at most
2 MB, and stored at most 512 px wide and high, written anew: no metadata, text chunks or
anything else of the upload survive, so a script hidden in a PNG's text chunk is gone.
SVG, which can carry script, is never taken.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from participation.actors import Actor
from participation.errors import DomainError, FieldError, InvalidInput
from participation.files import storage
from participation.messages import Message
from participation.municipalities.face import changed, configurable
from participation.municipalities.models import Municipality

CREST_FIELD = "coat_of_arms"
MAX_CREST_BYTES = 2 * 1024 * 1024
CREST_SIDE = 512
# Enough for any scan of a crest; keeps the decode cheap.
MAX_CREST_PIXELS = 25_000_000
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


class CrestTooLarge(DomainError):
    """413 naming the field, as for a body over the route's cap."""

    status = 413
    title = "Payload too large"


def _refuse(message: Message) -> InvalidInput:
    return InvalidInput.on(CREST_FIELD, message)


NOT_AN_IMAGE = Message("The coat of arms must be a PNG or JPEG image.")
TOO_LARGE = Message(
    "The coat of arms may have at most %(mb)s MB.", mb=MAX_CREST_BYTES // (1024 * 1024)
)


def too_large() -> CrestTooLarge:
    """The error for a crest over MAX_CREST_BYTES, whether read or refused unread."""
    return CrestTooLarge(TOO_LARGE, [FieldError(CREST_FIELD, TOO_LARGE)])


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
            raise too_large()
        return bytes(data)
    content = data.read(MAX_CREST_BYTES + 1)
    if len(content) > MAX_CREST_BYTES:
        raise too_large()
    return content


async def set_coat_of_arms(actor: Actor | None, slug: str, data: bytes | BinaryIO) -> Municipality:
    """Put up the municipality's coat of arms, replacing the one before.

    Raises NotFound, PermissionDenied, CrestTooLarge (over 2 MB) and InvalidInput on
    `coat_of_arms` for anything but a whole PNG or JPEG (SVG, HTML, a cut-off file);
    nothing is stored then. Records `municipalities:face:changed`.
    """
    municipality = await configurable(actor, slug)
    content = _read(data)
    if not content:
        raise _refuse(Message("Choose an image to upload."))
    encoded, content_type = await asyncio.to_thread(reencode, content)
    key = await asyncio.to_thread(storage.current().put, encoded)
    await changed(municipality, actor, {"coat_of_arms_key": key, "coat_of_arms_type": content_type})
    return municipality


async def remove_coat_of_arms(actor: Actor | None, slug: str) -> Municipality:
    """Take the coat of arms down; the header shows the name alone. Raises NotFound and
    PermissionDenied."""
    municipality = await configurable(actor, slug)
    if municipality.coat_of_arms_key is not None:
        await changed(municipality, actor, {"coat_of_arms_key": None, "coat_of_arms_type": None})
    return municipality
