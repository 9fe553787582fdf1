"""Real files of every type the platform takes, made in the test, and disguised ones."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def pdf(text: str = "Kostenaufstellung") -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera App 1.0"  # Software
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    exif[0x8825] = gps
    return exif


def png(size: tuple[int, int] = (40, 30), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A PNG with a text chunk and EXIF that must not survive the upload."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Clara Citizen, Hauptstraße 5")
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", pnginfo=info, exif=_exif_with_gps())
    return out.getvalue()


def jpeg(
    size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (30, 90, 200), **exif: int
) -> bytes:
    """A JPEG photo with GPS coordinates in its EXIF, as a phone writes it."""
    data = _exif_with_gps()
    for tag, value in exif.items():
        data[int(tag.removeprefix("tag_"), 16)] = value
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=data, quality=90)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(out, "GIF")
    return out.getvalue()


def xlsx() -> bytes:
    """A real workbook, written by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kosten"
    sheet.append(["Position", "Betrag (EUR)"])
    sheet.append(["Bänke", 1200])
    sheet.append(["Aufstellen", 300])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NS = "urn:oasis:names:tc:opendocument:xmlns"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<manifest:manifest xmlns:manifest="{_NS}:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
).encode()

ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<office:document-content xmlns:office="{_NS}:office:1.0" '
    f'xmlns:table="{_NS}:table:1.0" xmlns:text="{_NS}:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Kosten">'
    "<table:table-row><table:table-cell><text:p>Bank</text:p></table:table-cell>"
    "</table:table-row></table:table></office:spreadsheet></office:body>"
    "</office:document-content>"
).encode()


def ods(mimetype: bytes = b"application/vnd.oasis.opendocument.spreadsheet") -> bytes:
    """An OpenDocument spreadsheet: `mimetype` first and stored, then its parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", ODS_CONTENT, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv(encoding: str = "utf-8") -> bytes:
    return "Position;Betrag\nBänke;1200,00 €\nAufstellen;300,00 €\n".encode(encoding)


def zip_of(**entries: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
