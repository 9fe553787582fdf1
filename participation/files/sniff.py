"""What an uploaded file really is: its content and its extension must name the same type.

Only PDF, CSV, XLSX, ODS, PNG and JPEG are taken. Each is recognised by its structure, not
by what the browser claims: PDF by `%PDF-` at the start, PNG and JPEG by their signatures
and by Pillow opening them as that format, XLSX as a zip with `[Content_Types].xml` and a
workbook under `xl/`, ODS as a zip whose first entry is the stored `mimetype` naming a
spreadsheet, CSV as text (UTF-8, else Windows-1252/Latin-1) without NUL or other control
characters that does not look like markup.

A file that is two things at once is refused too (a polyglot): markup anywhere in it
(`<html`, `<script`, `<svg`, …), a zip directory at its end (what zip readers look for) in
anything but a spreadsheet, a PDF header in the first 1,024 bytes (where PDF readers look)
of anything but a PDF. Spreadsheets with macros and PDFs naming JavaScript or launch
actions are refused as well. Such checks are a second line: files are served as
downloads with `nosniff` and a sandboxing policy, never as pages.
"""

from __future__ import annotations

import codecs
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from participation.errors import InvalidInput
from participation.messages import Message

FIELD = "file"
CHUNK = 1024 * 1024
# Long enough for every marker below, so a marker cut by a chunk border is still found.
OVERLAP = 64
# More pixels than any photo of a document needs; also keeps decoding cheap.
MAX_PIXELS = 40_000_000

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# Tags a browser would render, followed by what may end a tag name.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|svg|object|embed|meta|"
    rb"base|link|style|form)[\s/>]",
    re.IGNORECASE,
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch)\b")
# C0 controls other than TAB, LF, FF and CR, and DEL: no spreadsheet writes them into CSV.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Kind:
    """A type we take: its name, the extensions that name it, how it is served."""

    name: str
    extensions: tuple[str, ...]
    content_type: str
    # Shown in the browser rather than downloaded (images only).
    inline: bool = False
    image_format: str | None = None


PDF = Kind("PDF", ("pdf",), "application/pdf")
CSV = Kind("CSV", ("csv",), "text/csv")
XLSX = Kind("XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODS = Kind("ODS", ("ods",), ODS_MIMETYPE.decode())
PNG = Kind("PNG", ("png",), "image/png", inline=True, image_format="PNG")
JPEG = Kind("JPEG", ("jpg", "jpeg"), "image/jpeg", inline=True, image_format="JPEG")

KINDS = (PDF, CSV, XLSX, ODS, PNG, JPEG)
BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ACCEPTED = ", ".join(kind.name for kind in KINDS)


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    # The content type to serve, with the charset for CSV.
    content_type: str


def refuse(message: Message) -> InvalidInput:
    return InvalidInput.on(FIELD, message)


def extension(filename: str) -> str:
    """The lower-cased extension of a name, without the dot ('' if none)."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def kind_of_name(filename: str) -> Kind:
    kind = BY_EXTENSION.get(extension(filename))
    if kind is None:
        raise refuse(Message("Only these file types are accepted: %(types)s.", types=ACCEPTED))
    return kind


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The stream from its start in overlapping chunks."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        yield tail + chunk
        tail = chunk[-OVERLAP:]


def _head(stream: BinaryIO, size: int = 1024) -> bytes:
    stream.seek(0)
    return stream.read(size)


def _mismatch(kind: Kind) -> InvalidInput:
    return refuse(
        Message("The content of this file is not %(type)s, as its name says.", type=kind.name)
    )


def _polyglot() -> InvalidInput:
    return refuse(Message("This file holds more than one kind of content and is refused."))


def _has_markup(stream: BinaryIO) -> bool:
    return any(_MARKUP.search(chunk) for chunk in _chunks(stream))


def _is_zip(stream: BinaryIO) -> bool:
    stream.seek(0)
    try:
        return zipfile.is_zipfile(stream)
    finally:
        stream.seek(0)


def _check_pdf(stream: BinaryIO) -> None:
    if not _head(stream, 5) == b"%PDF-":
        raise _mismatch(PDF)
    if _is_zip(stream):
        raise _polyglot()
    if any(_PDF_ACTIVE.search(chunk) for chunk in _chunks(stream)):
        raise refuse(Message("PDF files with scripts or launch actions are refused."))


def _check_image(stream: BinaryIO, kind: Kind) -> None:
    signature = b"\x89PNG\r\n\x1a\n" if kind is PNG else b"\xff\xd8\xff"
    if not _head(stream, len(signature)) == signature:
        raise _mismatch(kind)
    if _is_zip(stream):
        raise _polyglot()
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[kind.image_format or ""]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise refuse(
                        Message(
                            "Images may have at most %(megapixels)s megapixels.",
                            megapixels=MAX_PIXELS // 1_000_000,
                        )
                    )
                image.verify()
            # verify() reads the structure only; a picture cut short shows when decoded.
            stream.seek(0)
            with Image.open(stream, formats=[kind.image_format or ""]) as image:
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _mismatch(kind) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise refuse(
            Message(
                "Images may have at most %(megapixels)s megapixels.",
                megapixels=MAX_PIXELS // 1_000_000,
            )
        ) from None
    finally:
        stream.seek(0)


def _open_zip(stream: BinaryIO, kind: Kind) -> zipfile.ZipFile:
    if _head(stream, 4) != b"PK\x03\x04" or not _is_zip(stream):
        raise _mismatch(kind)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _mismatch(kind) from None


def _read_entry(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    with archive.open(name) as entry:
        return entry.read(limit)


def _check_xlsx(stream: BinaryIO) -> None:
    archive = _open_zip(stream, XLSX)
    try:
        names = archive.namelist()
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _mismatch(XLSX)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise refuse(Message("Spreadsheets with macros are refused."))
        types = _read_entry(archive, "[Content_Types].xml")
        if b"spreadsheetml.sheet.main+xml" not in types and b"spreadsheetml.template" not in types:
            raise _mismatch(XLSX)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError):
        raise _mismatch(XLSX) from None
    finally:
        archive.close()
        stream.seek(0)


def _check_ods(stream: BinaryIO) -> None:
    archive = _open_zip(stream, ODS)
    try:
        entries = archive.infolist()
        first = entries[0] if entries else None
        if (
            first is None
            or first.filename != "mimetype"
            or first.compress_type != zipfile.ZIP_STORED
            or _read_entry(archive, "mimetype").strip() != ODS_MIMETYPE
            or "content.xml" not in archive.namelist()
        ):
            raise _mismatch(ODS)
        if any(e.filename.startswith(("Basic/", "Scripts/")) for e in entries):
            raise refuse(Message("Spreadsheets with macros are refused."))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError):
        raise _mismatch(ODS) from None
    finally:
        archive.close()
        stream.seek(0)


def _check_csv(stream: BinaryIO) -> str:
    """The charset of a CSV file: utf-8, else windows-1252, else iso-8859-1 (which reads
    any byte)."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    is_utf8 = is_cp1252 = True
    stream.seek(0)
    first = True
    while chunk := stream.read(CHUNK):
        if _CONTROL.search(chunk):
            raise _mismatch(CSV)
        if first:
            if chunk.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
                raise refuse(Message("This file looks like a web page, not CSV."))
            first = False
        is_utf8 = is_utf8 and _decodes(utf8, chunk)
        is_cp1252 = is_cp1252 and _decodes(cp1252, chunk)
    is_utf8 = is_utf8 and _decodes(utf8, b"", final=True)
    if _has_markup(stream):
        raise refuse(Message("This file looks like a web page, not CSV."))
    stream.seek(0)
    return "utf-8" if is_utf8 else "windows-1252" if is_cp1252 else "iso-8859-1"


def _decodes(decoder: codecs.IncrementalDecoder, data: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(data, final)
    except UnicodeDecodeError:
        return False
    return True


def sniff(filename: str, stream: BinaryIO) -> Sniffed:
    """The type of the file, if its content and its name's extension agree on one we take.

    `stream` is a seekable binary file, read in chunks. Raises InvalidInput on `file`
    for an empty file, a type we do not take, a mismatch, a polyglot or active content.
    """
    kind = kind_of_name(filename)
    stream.seek(0, 2)
    if stream.tell() == 0:
        raise refuse(Message("The file is empty."))
    content_type = kind.content_type
    if kind is CSV:
        if b"%PDF-" in _head(stream) or _is_zip(stream):
            raise _mismatch(CSV)
        content_type = f"text/csv; charset={_check_csv(stream)}"
    else:
        if kind is not PDF and b"%PDF-" in _head(stream):
            raise _polyglot()
        if kind is PDF:
            _check_pdf(stream)
        elif kind in (PNG, JPEG):
            _check_image(stream, kind)
        elif kind is XLSX:
            _check_xlsx(stream)
        else:
            _check_ods(stream)
        if _has_markup(stream):
            raise _polyglot()
    stream.seek(0)
    return Sniffed(kind, content_type)
