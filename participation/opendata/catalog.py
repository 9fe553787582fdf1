"""The deployment's DCAT-AP.de catalogue as JSON-LD: one dcat:Dataset per municipality and
data set, each with a CSV and a JSON distribution (vote results also one Pabulib file per
vote), so that GovData-style harvesters can list them.

The properties follow DCAT-AP.de 2.0: what it makes mandatory (titles, descriptions, the
publisher, the access URL and the licence of each distribution) and most of what it
recommends. The contact point is the municipality's own office address, never a person's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from participation.messages import Message
from participation.municipalities.licences import licence_of
from participation.municipalities.models import Municipality
from participation.opendata import changes, rows
from participation.opendata.datasets import DATASETS, Dataset
from participation.translations import catalog as translations
from participation.votes.models import Vote

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/DEU"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/CONT"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocodingLevel/municipality"
# Format: (file type, media type, file name ending).
FORMATS = {
    "csv": ("CSV", "text/csv", "csv"),
    "json": ("JSON", "application/json", "json"),
}
PABULIB = ("TXT", "text/plain", "pb")
CATALOG_TITLE = Message("Open data of the municipalities on %(site)s")
CATALOG_DESCRIPTION = Message(
    "Mandates, timelines, cost analyses, measures, vote results, the moderation log and the "
    "quality figures of every municipality on this platform, counted from its own records."
)
BALLOTS_TITLE = Message("Ballots of the vote “%(title)s” (Pabulib)")
BALLOTS_DESCRIPTION = Message(
    "The anonymised ballots and projects of vote %(vote)s in Pabulib format, to recount it with "
    "any tool."
)


def _texts(message: Message) -> list[dict[str, str]]:
    """The message in German and English, as language-tagged literals."""
    return [
        {"@value": message.translated(translations(lang).gettext), "@language": lang}
        for lang in ("de", "en")
    ]


def _titled(message: Message, suffix: str) -> list[dict[str, str]]:
    return [{**text, "@value": f"{text['@value']} {suffix}"} for text in _texts(message)]


def _time(moment: datetime) -> dict[str, str]:
    return {"@value": moment.isoformat(), "@type": "xsd:dateTime"}


def _iri(value: str) -> dict[str, str]:
    return {"@id": value}


def attribution(municipality: Municipality, year: int) -> str:
    """The attribution both licences ask for: the municipality and the year."""
    return f"{municipality.name}, {year}"


def download_path(slug: str, dataset: str, extension: str) -> str:
    return f"/open-data/{slug}/{dataset}.{extension}"


def _distribution(
    url: str,
    title: list[dict[str, str]],
    kind: tuple[str, str, str],
    licence: str,
    credit: str,
    modified: datetime,
    description: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    file_type, media_type, _ = kind
    distribution = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": _iri(url),
        "dcat:downloadURL": _iri(url),
        "dct:format": _iri(FILE_TYPE + file_type),
        "dcat:mediaType": _iri(MEDIA_TYPE + media_type),
        "dct:license": _iri(licence),
        "dcatde:licenseAttributionByText": credit,
        "dct:modified": _time(modified),
    }
    if description:
        distribution["dct:description"] = description
    return distribution


def _contact(municipality: Municipality, page: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"@type": "vcard:Organization", "vcard:fn": municipality.name}
    if municipality.contact_email:
        contact["vcard:hasEmail"] = _iri(f"mailto:{municipality.contact_email}")
    else:
        contact["vcard:hasURL"] = _iri(page)
    return contact


async def _ballots(municipality: Municipality) -> list[Vote]:
    """Published votes whose ballots are public (the minimum turnout was reached)."""
    found: list[Vote] = []
    async for batch in rows.batches(rows.published_votes(municipality), rows.BATCH):
        found += [v for v in batch if (v.result or {}).get("quorum_met")]
    return found


async def _dataset(base: str, municipality: Municipality, dataset: Dataset) -> dict[str, Any]:
    modified = await changes.modified(municipality, dataset.id)
    licence = licence_of(municipality.open_data_licence).uri
    credit = attribution(municipality, modified.year)
    page = f"{base}/m/{municipality.slug}/open-data"
    name = f"– {municipality.name}"
    distributions = [
        _distribution(
            base + download_path(municipality.slug, dataset.id, kind[2]),
            _titled(dataset.title, f"({kind[0]}) {name}"),
            kind,
            licence,
            credit,
            modified,
        )
        for kind in FORMATS.values()
    ]
    if dataset.id == "vote-results":
        for vote in await _ballots(municipality):
            distributions.append(
                _distribution(
                    rows.ballots_url(base, vote.id),
                    _texts(Message(BALLOTS_TITLE.id, title=vote.title)),
                    PABULIB,
                    licence,
                    credit,
                    vote.published_at or modified,
                    _texts(Message(BALLOTS_DESCRIPTION.id, vote=vote.id)),
                )
            )
    entry: dict[str, Any] = {
        "@id": f"{page}#{dataset.id}",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{page}#{dataset.id}",
        "dct:title": _titled(dataset.title, name),
        "dct:description": _texts(dataset.description),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": municipality.name},
        "dcat:contactPoint": _contact(municipality, page),
        "dcat:theme": _iri(THEME),
        "dcat:keyword": list(dataset.keywords),
        "dcat:landingPage": _iri(page),
        "dct:language": _iri(LANGUAGE),
        "dct:accrualPeriodicity": _iri(FREQUENCY),
        "dct:modified": _time(modified),
        "dcatde:politicalGeocodingLevelURI": _iri(GEOCODING_LEVEL),
        "dcat:distribution": distributions,
    }
    if municipality.official_key:
        entry["dcatde:politicalGeocodingURI"] = _iri(GEOCODING + municipality.official_key)
        entry["dct:spatial"] = _iri(GEOCODING + municipality.official_key)
    return entry


async def catalog(base: str) -> dict[str, Any]:
    """The catalogue of every municipality's data sets; `base` is the deployment's BASE_URL."""
    base = base.rstrip("/")
    site = urlsplit(base).hostname or base
    datasets = [
        await _dataset(base, municipality, dataset)
        for municipality in await Municipality.all().order_by("slug")
        for dataset in DATASETS.values()
    ]
    return {
        "@context": CONTEXT,
        "@id": f"{base}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _texts(Message(CATALOG_TITLE.id, site=site)),
        "dct:description": _texts(CATALOG_DESCRIPTION),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": f"Auftrag ({site})"},
        "foaf:homepage": _iri(base + "/"),
        "dct:language": _iri(LANGUAGE),
        "dcat:themeTaxonomy": _iri("http://publications.europa.eu/resource/authority/data-theme"),
        "dcat:dataset": datasets,
    }
