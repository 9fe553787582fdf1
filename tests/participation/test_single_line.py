"""The single-line rule for titles, summaries and names, and its pattern in the API."""

from __future__ import annotations

import re

import pytest

from participation import single_line
from participation.errors import InvalidInput

REFUSED = [
    "\x00", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
    "\u2028", "\u2029",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
]  # fmt: skip

ALLOWED = [
    "Mehr Bäume in der Hauptstraße",
    "Spielplatz an der Gartenstraße: 12.000 €",
    "\u0645\u0644\u0639\u0628 \u200f(Spielplatz)",  # Arabic with a right-to-left mark
    "Name \u200e\u061c",
    "Familie 👨\u200d👩\u200d👧",
    "Clara\u00a0Beispiel",
]


@pytest.mark.parametrize("character", REFUSED)
def test_controls_line_breaks_and_direction_overrides_are_refused(character: str) -> None:
    text = f"Harmlos{character}gpj.exe"
    assert single_line.problem(text) == single_line.MESSAGE
    assert re.fullmatch(single_line.PATTERN, text) is None
    with pytest.raises(InvalidInput) as raised:
        single_line.check("title", text)
    assert [e.field for e in raised.value.errors] == ["title"]


@pytest.mark.parametrize("text", ALLOWED)
def test_text_in_any_script_with_its_marks_is_allowed(text: str) -> None:
    assert single_line.problem(text) is None
    assert re.fullmatch(single_line.PATTERN, text)
    single_line.check("title", text)
