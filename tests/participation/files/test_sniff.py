"""Uploads are taken by content and extension together; disguised files are refused."""

from __future__ import annotations

import io

import pytest

from participation.errors import InvalidInput
from participation.files import sniff as sniffing
from participation.files.sniff import sniff
from tests.factories import files


def _refused(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        sniff(name, io.BytesIO(data))
    assert [e.field for e in caught.value.errors] == ["file"]
    return caught.value.errors[0].message


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("Kosten.pdf", files.pdf, "application/pdf"),
        ("Foto.png", files.png, "image/png"),
        ("Foto.JPG", files.jpeg, "image/jpeg"),
        ("Foto.jpeg", files.jpeg, "image/jpeg"),
        (
            "Kosten.xlsx",
            files.xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("Kosten.ods", files.ods, "application/vnd.oasis.opendocument.spreadsheet"),
        ("Kosten.csv", files.csv, "text/csv; charset=utf-8"),
    ],
)
def test_real_files_of_each_type_are_taken(name: str, make, content_type: str) -> None:  # type: ignore[no-untyped-def]
    assert sniff(name, io.BytesIO(make())).content_type == content_type


def test_a_csv_from_excel_in_windows_1252_is_taken_with_its_charset() -> None:
    data = files.csv("cp1252")
    assert sniff("Kosten.csv", io.BytesIO(data)).content_type == "text/csv; charset=windows-1252"


def test_html_named_pdf_is_refused() -> None:
    assert "not PDF" in _refused("Bericht.pdf", files.HTML)


def test_a_pdf_that_is_also_html_is_refused() -> None:
    polyglot = files.pdf().replace(b"%%EOF", b"%%EOF\n" + files.HTML)
    assert "more than one kind" in _refused("Bericht.pdf", polyglot)
    starts_as_pdf = b"%PDF-1.4\n" + files.HTML
    assert "more than one kind" in _refused("Bericht.pdf", starts_as_pdf)


def test_a_zip_renamed_pdf_and_a_pdf_carrying_a_zip_are_refused() -> None:
    archive = files.zip_of(**{"payload.html": files.HTML})
    assert "not PDF" in _refused("Bericht.pdf", archive)
    assert "more than one kind" in _refused("Bericht.pdf", files.pdf() + archive)
    # A zip with a PDF header in front: still a zip to every zip reader.
    assert "more than one kind" in _refused("Bericht.pdf", b"%PDF-1.4\n" + archive)


def test_a_spreadsheet_with_a_pdf_header_is_refused() -> None:
    archive = files.zip_of(**{"[Content_Types].xml": b"%PDF-1.4", "xl/workbook.xml": b""})
    assert "more than one kind" in _refused("Kosten.xlsx", archive)


def test_pictures_in_disguise_are_refused() -> None:
    assert "not PNG" in _refused("Foto.png", files.gif())
    assert "not PNG" in _refused("Foto.png", files.SVG)
    assert "not PNG" in _refused("Foto.png", files.jpeg())
    assert "not JPEG" in _refused("Foto.jpg", files.png())
    assert "not JPEG" in _refused("Foto.jpg", b"\xff\xd8\xff\xe0 truncated")
    photo = files.jpeg(size=(400, 300))
    assert "not JPEG" in _refused("Foto.jpg", photo[: len(photo) // 2])


def test_pictures_carrying_html_or_a_zip_are_refused() -> None:
    assert "more than one kind" in _refused("Foto.jpg", files.jpeg() + files.HTML)
    with_zip = files.png() + files.zip_of(**{"a.txt": b"x"})
    assert "more than one kind" in _refused("Foto.png", with_zip)


def test_markup_is_found_across_the_border_of_two_chunks() -> None:
    head = files.pdf()
    padding = b"0" * (sniffing.CHUNK - len(head) - 3)
    data = head + padding + b"<script>alert(1)</script>"
    assert data.index(b"<script") < sniffing.CHUNK < data.index(b"<script") + 7
    assert "more than one kind" in _refused("Bericht.pdf", data)


def test_a_pdf_with_javascript_is_refused() -> None:
    active = files.pdf().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    assert "scripts" in _refused("Bericht.pdf", active)


def test_spreadsheets_are_told_apart_by_structure() -> None:
    assert "not ODS" in _refused("Kosten.ods", files.xlsx())
    assert "not XLSX" in _refused("Kosten.xlsx", files.ods())
    no_workbook = files.zip_of(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b""})
    assert "not XLSX" in _refused("Kosten.xlsx", no_workbook)
    text = files.ods(mimetype=b"application/vnd.oasis.opendocument.text")
    assert "not ODS" in _refused("Kosten.ods", text)
    late_mimetype = files.zip_of(**{"content.xml": b"<x/>", "mimetype": sniffing.ODS_MIMETYPE})
    assert "not ODS" in _refused("Kosten.ods", late_mimetype)


def test_spreadsheets_with_macros_are_refused() -> None:
    import zipfile

    book = io.BytesIO(files.xlsx())
    with zipfile.ZipFile(book, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    assert "macros" in _refused("Kosten.xlsx", book.getvalue())


def test_csv_must_be_text_and_no_web_page() -> None:
    assert "web page" in _refused("Liste.csv", files.HTML)
    assert "web page" in _refused("Liste.csv", b"\xef\xbb\xbf  <table><tr><td>1</td></tr>")
    assert "web page" in _refused("Liste.csv", b"a;b\n1;<script>alert(1)</script>\n")
    assert "not CSV" in _refused("Liste.csv", b"a;b\n1;\x002\n")
    assert "not CSV" in _refused("Liste.csv", files.pdf())
    assert "not CSV" in _refused("Liste.csv", files.png())
    assert "not CSV" in _refused("Liste.csv", files.zip_of(**{"a.csv": b"a;b"}))


def test_other_types_empty_files_and_names_without_extension_are_refused() -> None:
    for name in ("Seite.html", "Bild.svg", "setup.exe", "Bild.gif", "README", ".pdf"):
        assert "Only these file types" in _refused(name, b"data")
    assert "empty" in _refused("Leer.pdf", b"")


def test_pictures_with_absurd_pixel_counts_are_refused() -> None:
    assert "megapixels" in _refused("Riesig.png", files.png(size=(8000, 6000), color=(0, 0, 0)))
