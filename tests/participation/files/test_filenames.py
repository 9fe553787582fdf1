"""File names: separators and control characters refused, the rest tidied."""

from __future__ import annotations

import pytest

from participation.errors import InvalidInput
from participation.files.filenames import ascii_fallback, clean_filename


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "Unterlagen/Kosten.pdf",
        "..\\..\\boot.ini.pdf",
        "C:\\Users\\Kosten.pdf",
        "Kosten\x00.pdf",
        "Kosten\n.pdf",
        "Kosten\t.pdf",
        "Kosten\x7f.pdf",
        "Rechnung\u202efdp.exe.pdf",
    ],
)
def test_names_reaching_elsewhere_or_with_control_characters_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_filename(name)
    assert [e.field for e in caught.value.errors] == ["file"]


def test_names_are_tidied() -> None:
    assert clean_filename("..hidden.pdf") == "hidden.pdf"
    assert clean_filename("  Kosten 2026.pdf  ") == "Kosten 2026.pdf"
    assert clean_filename("Bu\u0308cher.csv") == "B\u00fccher.csv"
    assert clean_filename('Plan: "neu"?.pdf') == "Plan_ _neu__.pdf"


def test_long_names_keep_their_extension() -> None:
    cleaned = clean_filename("Haushalt " * 40 + ".xlsx")
    assert len(cleaned) <= 120 and cleaned.endswith(".xlsx")
    assert cleaned.startswith("Haushalt Haushalt")


def test_a_name_needs_a_stem_and_an_extension() -> None:
    for name in ("Kosten", "...", ".pdf", "Kosten."):
        with pytest.raises(InvalidInput):
            clean_filename(name)


def test_the_ascii_fallback_keeps_what_it_can() -> None:
    assert ascii_fallback("Straßenbäume Übersicht.pdf") == "Straenbaume Ubersicht.pdf"
    assert ascii_fallback('a"b;c.pdf') == "a_b_c.pdf"
