"""Open data: each municipality's data sets as CSV and JSON downloads, its page listing them
with their licence, the data dictionary, and the DCAT-AP.de catalogue of them all.

Downloads stream: rows are read a batch at a time (participation/opendata/rows.py) and sent
as they are written, so a large municipality's file is never held whole. Links in the files
and the catalogue are absolute, built from BASE_URL, never from the Host header.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC
from email.utils import format_datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from participation import clock
from participation.errors import DomainError, NotFound
from participation.messages import Message
from participation.municipalities.licences import licence_of
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug
from participation.opendata import changes, formats, rows
from participation.opendata.catalog import FORMATS, attribution, catalog, download_path
from participation.opendata.datasets import DATASETS, dataset
from server.pages.forms import error_page
from server.templating import render
from server.web import Pages

CACHE_CONTROL = "public, max-age=300"
JSON_LD = "application/ld+json"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url).rstrip("/")


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def _utf8(texts: AsyncIterator[str]) -> AsyncIterator[bytes]:
    async for text in texts:
        yield text.encode()


def _download(extension: str) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request) -> Response:
        """The data set as a file, streamed batch by batch."""
        try:
            municipality = await _municipality(request.path_params["slug"])
            chosen = dataset(request.path_params["dataset"])
        except DomainError as exc:
            return error_page(request, exc)
        modified = await changes.modified(municipality, chosen.id)
        batches = chosen.read(municipality, _base(request), rows.BATCH)
        encode = formats.csv_text if extension == "csv" else formats.json_text
        name = f"{municipality.slug}-{chosen.id}.{extension}"
        return StreamingResponse(
            _utf8(encode(chosen.columns, batches)),
            media_type=MEDIA_TYPES[extension],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Last-Modified": format_datetime(modified.astimezone(UTC), usegmt=True),
                "Cache-Control": CACHE_CONTROL,
            },
        )

    return download


async def catalog_document(request: Request) -> Response:
    """The DCAT-AP.de catalogue of every municipality's data sets, as JSON-LD."""
    document = await catalog(_base(request))
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        media_type=JSON_LD,
        headers={"Cache-Control": CACHE_CONTROL},
    )


async def dictionary_page(request: Request) -> Response:
    """Every data set's columns: name, type, meaning and unit."""
    return render(request, "open_data/dictionary.html", datasets=list(DATASETS.values()))


async def municipality_page(request: Request) -> Response:
    """The municipality's downloads, with their licence and the attribution it asks for."""
    try:
        municipality = await _municipality(request.path_params["slug"])
    except DomainError as exc:
        return error_page(request, exc)
    ballots = []
    async for batch in rows.batches(rows.published_votes(municipality), rows.BATCH):
        ballots += [
            (v, rows.ballots_url("", v.id)) for v in batch if (v.result or {}).get("quorum_met")
        ]
    return render(
        request,
        "open_data/municipality.html",
        municipality=municipality,
        datasets=list(DATASETS.values()),
        formats=[(key, kind[0]) for key, kind in FORMATS.items()],
        path=download_path,
        licence=licence_of(municipality.open_data_licence),
        attribution=attribution(municipality, clock.now().year),
        ballots=ballots,
    )


PAGES = Pages(
    6,
    [
        Route("/open-data/catalog.jsonld", catalog_document),
        Route("/open-data/dictionary", dictionary_page),
        Route("/open-data/{slug}/{dataset}.csv", _download("csv")),
        Route("/open-data/{slug}/{dataset}.json", _download("json")),
        Route("/m/{slug}/open-data", municipality_page),
    ],
)
