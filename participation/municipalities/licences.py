"""The open-data licences a municipality may choose, from DCAT-AP.de's controlled vocabulary.

They live here, beside the setting that picks one, so that the settings need not import the
open-data area that reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from participation.messages import Message


@dataclass(frozen=True)
class Licence:
    code: str
    # The licence's URI in http://dcat-ap.de/def/licenses, what dct:license names.
    uri: str
    title: Message
    # The licence text itself, for people.
    url: str


DL_BY = Licence(
    "dl-de/by-2-0",
    "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    Message("Data licence Germany – attribution – version 2.0"),
    "https://www.govdata.de/dl-de/by-2-0",
)
CC_BY = Licence(
    "cc-by/4.0",
    "http://dcat-ap.de/def/licenses/cc-by/4.0",
    Message("Creative Commons Attribution 4.0 International"),
    "https://creativecommons.org/licenses/by/4.0/",
)
LICENCES = {licence.code: licence for licence in (DL_BY, CC_BY)}
DEFAULT = DL_BY.code


def licence_of(code: str | None) -> Licence:
    """The licence `code` names; the default for a code no longer offered."""
    return LICENCES.get(code or DEFAULT, DL_BY)
