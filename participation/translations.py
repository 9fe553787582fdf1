"""The gettext catalogues, German and English, read from frontend/locales: shared by the
web's pages and the worker's emails."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("de", "en")
DEFAULT = "de"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "frontend" / "locales"

_catalogs: dict[str, NullTranslations] = {}


def _load(locale: str) -> NullTranslations:
    """Read the .po file directly, so a fresh checkout needs no compile step."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def catalog(locale: str) -> NullTranslations:
    if locale not in _catalogs:
        _catalogs[locale] = _load(locale)
    return _catalogs[locale]
