"""The German catalogue against the code: every extracted text translated, placeholders kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "frontend" / "locales" / "de" / "LC_MESSAGES" / "messages.po"
# A named placeholder and its conversion, as in "%(max)s"; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)([a-z])|%%")


def _extracted() -> dict[str, str]:
    """msgid → where it was found, just as `pybabel extract -F frontend/babel.cfg .` sees it."""
    with (ROOT / "frontend" / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, str] = {}
    for filename, lineno, message, _, _ in extract_from_dir(
        ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogue() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="de")


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(1))


def _pairs(message: Message) -> Iterator[tuple[str, str]]:
    """(original, translation) per form; every German plural form pairs with the English plural."""
    if isinstance(message.id, str):
        yield message.id, str(message.string)
        return
    singular, plural = message.id
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    for index, form in enumerate(forms):
        yield (singular if index == 0 else plural), form


def test_the_domain_and_the_templates_are_extracted() -> None:
    found = _extracted()
    assert "Title must be at most %(max)s characters." in found  # participation/
    assert "This request came from another website and was refused." in found  # server/
    assert "Sign in to Auftrag" in found  # frontend/templates/


def test_every_extracted_text_has_a_german_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for msgid, where in _extracted().items():
        entry = catalogue.get(msgid)
        if entry is None or entry.fuzzy or not all(text for _, text in _pairs(entry)):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated (see frontend/locales/README.md):\n" + "\n".join(missing)


def test_every_translation_keeps_the_placeholders_of_its_original() -> None:
    changed = [
        f"{original!r} → {translation!r}"
        for entry in _catalogue()
        if entry.id
        for original, translation in _pairs(entry)
        if translation and _placeholders(translation) != _placeholders(original)
    ]
    assert not changed, "placeholders differ:\n" + "\n".join(changed)
