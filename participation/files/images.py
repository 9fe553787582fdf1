"""Photos lose their metadata before they are stored: re-encoded with Pillow, without EXIF
(a phone's photo carries where it was taken), XMP, comments or text chunks.

The picture is turned upright first, as its EXIF orientation said, since that tag goes
too. A JPEG that needs no turning keeps its quantisation tables (`quality="keep"`), so it
loses no detail; the colour profile stays, as it changes how the picture looks.
"""

from __future__ import annotations

import tempfile
from typing import BinaryIO

from PIL import Image, ImageOps

from participation.files.sniff import JPEG, PNG, Kind

SPOOL = 1024 * 1024
_ORIENTATION = 0x0112


def strip_metadata(kind: Kind, stream: BinaryIO) -> BinaryIO:
    """A new file holding the picture alone; `stream` must already have passed `sniff`."""
    stream.seek(0)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    with Image.open(stream, formats=[kind.image_format or ""]) as image:
        icc = image.info.get("icc_profile")
        turned = image.getexif().get(_ORIENTATION, 1) not in (None, 1)
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if kind is JPEG:
            if turned:
                picture = ImageOps.exif_transpose(image)
                picture.save(out, "JPEG", quality=92, **options)
            else:
                image.save(out, "JPEG", quality="keep", subsampling="keep", **options)
        elif kind is PNG:
            picture = ImageOps.exif_transpose(image) if turned else image
            picture.save(out, "PNG", **options)
        else:
            raise ValueError(f"not an image kind: {kind.name}")
    out.seek(0)
    return out  # type: ignore[return-value]
