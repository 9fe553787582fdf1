"""Open data as a journalist downloads it: every data set as CSV and JSON, the dictionary,
the municipality's page with its licence, and the DCAT-AP.de catalogue a portal harvests."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from starlette.applications import Starlette

from participation.accounts.models import Role
from participation.mandates import counter
from participation.metrics import queries as metric_queries
from participation.metrics.results import Dashboard, FigureValue
from participation.opendata import formats, rows
from participation.opendata.datasets import DATASETS
from server.settings import Settings
from tests.factories import opendata
from tests.factories.accounts import person
from tests.factories.mandates import mandate
from tests.support import assert_problem, bearer_token, make_settings

BASE = "https://beteiligung.musterdorf.example"
EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
DCT = DCTERMS
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LICENCES = {
    "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "http://dcat-ap.de/def/licenses/cc-by/4.0",
}
# DCAT-AP.de 2.0 (dcat-ap.de/def/dcatde/2.0/spec): what it makes mandatory, and what it and
# its conventions (Konventionenhandbuch 2.0) recommend that the platform can fill in.
CATALOG_REQUIRED = (DCT.title, DCT.description, DCT.publisher, DCAT.dataset)
CATALOG_RECOMMENDED = (FOAF.homepage, DCT.language, DCAT.themeTaxonomy)
DATASET_REQUIRED = (DCT.title, DCT.description)
DATASET_RECOMMENDED = (
    DCT.publisher,
    DCAT.contactPoint,
    DCAT.distribution,
    DCAT.keyword,
    DCAT.theme,
    DCT.modified,
    DCT.identifier,
    DCATDE.politicalGeocodingURI,
    DCATDE.politicalGeocodingLevelURI,
)
DISTRIBUTION_REQUIRED = (DCAT.accessURL, DCT.license)
DISTRIBUTION_RECOMMENDED = (DCT.format, DCAT.mediaType, DCAT.downloadURL, DCT.modified)
FILE_TYPES = {
    "http://publications.europa.eu/resource/authority/file-type/CSV",
    "http://publications.europa.eu/resource/authority/file-type/JSON",
    "http://publications.europa.eu/resource/authority/file-type/TXT",
}
MEDIA_TYPES = {
    "https://www.iana.org/assignments/media-types/text/csv",
    "https://www.iana.org/assignments/media-types/application/json",
    "https://www.iana.org/assignments/media-types/text/plain",
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "var", base_url=BASE)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as http:
        yield http


@pytest.fixture
async def town(app: Starlette) -> opendata.Town:
    return await opendata.town()


@pytest.fixture(autouse=True)
def figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The metrics queries as their contract gives them, for the `figures` data set."""

    async def dashboard(slug: str, period: str, department: str | None = None) -> Dashboard:
        shown = (
            FigureValue("first_answer_days", 2.0, 12, (1.0, 3.0), True, "working_days", p90=4.0),
            FigureValue("signatures", 7.0, 7, None, True, "count", per_1000=0.58),
            FigureValue("service_satisfaction", None, 0, None, False, "score", "ummeldung"),
        )
        return Dashboard(slug, "Musterdorf", period, None, shown, {})

    monkeypatch.setattr(metric_queries, "dashboard", dashboard)


async def _csv(client: httpx.AsyncClient, slug: str, name: str) -> list[dict[str, str]]:
    response = await client.get(f"/open-data/{slug}/{name}.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    assert reader.fieldnames == [c.name for c in DATASETS[name].columns]
    return list(reader)


async def _json(client: httpx.AsyncClient, slug: str, name: str) -> list[dict[str, Any]]:
    response = await client.get(f"/open-data/{slug}/{name}.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    items = response.json()
    assert isinstance(items, list)
    for item in items:
        assert list(item) == [c.name for c in DATASETS[name].columns]
    return items


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_every_data_set_downloads_as_csv_and_json_with_the_dictionarys_columns(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    slug = town.town.slug
    for name in DATASETS:
        as_csv = await _csv(client, slug, name)
        as_json = await _json(client, slug, name)
        assert len(as_csv) == len(as_json) > 0, name
    response = await client.get(f"/open-data/{slug}/mandates.csv")
    assert (
        response.headers["content-disposition"] == 'attachment; filename="musterdorf-mandates.csv"'
    )
    assert "last-modified" in response.headers


async def test_the_downloads_hold_what_is_public_and_nothing_else(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    slug = town.town.slug
    mandates = await _json(client, slug, "mandates")
    assert [m["id"] for m in mandates] == [town.mandate.id]
    shown = mandates[0]
    assert shown["title"] == "Radweg an der Hauptstraße"
    assert shown["initiator"] == "Ida Initiatorin"
    assert shown["status"] == "accepted" and shown["topics"] == ["radverkehr"]
    assert shown["signature_count"] == 2 and shown["quorum"] == 2
    assert shown["first_answer_at"] and shown["url"] == f"{BASE}/mandates/{town.mandate.id}"
    listed = await _csv(client, slug, "mandates")
    assert listed[0]["topics"] == "radverkehr" and listed[0]["promise_kept"] in ("true", "false")

    kinds = [e["kind"] for e in await _json(client, slug, "timelines")]
    assert "response" in kinds and "measure" in kinds
    costs = await _json(client, slug, "cost-analyses")
    assert [c["one_off_cents"] for c in costs] == [120_000] and costs[0]["currency"] == "EUR"
    measures = await _json(client, slug, "measures")
    assert [m["title"] for m in measures] == ["Radweg markieren"]
    results = await _json(client, slug, "vote-results")
    assert {r["vote_id"] for r in results} == {town.vote.id}
    assert any(r["winner"] for r in results)
    assert results[0]["ballots_url"] == f"{BASE}/api/v1/votes/{town.vote.id}/ballots.pb"
    log = await _json(client, slug, "moderation-log")
    assert [(e["action"], e["reason"]) for e in log] == [("hide", "Beleidigung")]
    assert log[0]["url"].startswith(f"{BASE}/mandates/{town.mandate.id}#comment-")

    everything = b"".join(
        [
            (await client.get(f"/open-data/{slug}/{name}.{ext}")).content
            for name in DATASETS
            for ext in ("csv", "json")
        ]
    )
    for secret in (opendata.HIDDEN_TEXT, opendata.DRAFT_TITLE, opendata.DRAFT_COSTS):
        assert secret.encode() not in everything


async def test_no_export_holds_an_email_address_or_anything_else_about_people(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    slug = town.town.slug
    names = ("Anna Autorin", "Mona Moderatorin", "Ratsmitglied")
    for name in DATASETS:
        for ext in ("csv", "json"):
            body = (await client.get(f"/open-data/{slug}/{name}.{ext}")).content
            assert not EMAIL.search(body), (name, ext, EMAIL.search(body))
            for someone in names:
                assert someone.encode() not in body, (name, ext, someone)
        keys = _keys(await _json(client, slug, name))
        assert not keys & rows.PERSONAL_KEYS, name
        assert not {k for k in keys if k.endswith("user_id") or k in ("ip", "email")}, name


async def test_the_figures_are_every_figure_per_month_for_two_years(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    figures = await _json(client, town.town.slug, "figures")
    months = sorted({f["month"] for f in figures})
    assert len(months) == 24
    first = next(f for f in figures if f["figure"] == "first_answer_days")
    assert (first["value"], first["n"], first["interval_low"], first["interval_high"]) == (
        2.0,
        12,
        1.0,
        3.0,
    )
    service = next(f for f in figures if f["figure"] == "service_satisfaction")
    assert service["service_type"] == "ummeldung" and service["comparable"] is False
    assert service["value"] is None


async def test_a_large_download_is_read_in_batches_by_id(
    client: httpx.AsyncClient, town: opendata.Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(4):
        await mandate(town.initiator, town.town)
    batches: list[list[int]] = []
    tallies = counter.tallies

    async def spy(ids: list[int]) -> dict[int, tuple[int, int]]:
        batches.append(ids)
        return await tallies(ids)

    monkeypatch.setattr(rows, "BATCH", 2)
    # The download's own reads only, not those of the app's background consumers.
    monkeypatch.setattr(rows, "counter", SimpleNamespace(tallies=spy))
    listed = await _csv(client, town.town.slug, "mandates")
    ids = [int(row["id"]) for row in listed]
    assert len(ids) == 5 and ids == sorted(ids)
    # Five mandates two at a time: three reads, each after the last id of the one before.
    assert batches == [ids[0:2], ids[2:4], ids[4:5]]


async def test_the_writer_sends_each_batch_before_the_next_is_read(
    town: opendata.Town,
) -> None:
    for _ in range(3):
        await mandate(town.initiator, town.town)
    happened: list[str] = []

    async def batches() -> rows.Batches:
        async for batch in rows.mandates(town.town, BASE, 1):
            happened.append(f"read {len(batch)}")
            yield batch

    async for _chunk in formats.json_text(DATASETS["mandates"].columns, batches()):
        happened.append("sent")
    assert happened[:5] == ["sent", "read 1", "sent", "read 1", "sent"]
    assert happened.count("read 1") == 4


async def test_unknown_municipalities_and_data_sets_are_404(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    assert (await client.get("/open-data/nirgendwo/mandates.csv")).status_code == 404
    assert (await client.get("/open-data/musterdorf/passwords.json")).status_code == 404
    assert (await client.get("/open-data/musterdorf/mandates.xml")).status_code == 404
    assert (await client.get("/m/nirgendwo/open-data")).status_code == 404


async def test_the_dictionary_explains_every_column(client: httpx.AsyncClient) -> None:
    page = await client.get("/open-data/dictionary?lang=en")
    assert page.status_code == 200
    for dataset in DATASETS.values():
        section = page.text.split(f'id="{dataset.id}"')[1]
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in section
    assert "When it reached its quorum and went to the council." in page.text
    german = await client.get("/open-data/dictionary?lang=de")
    assert "Datenlexikon" in german.text


async def test_the_municipality_page_lists_the_downloads_with_their_licence(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    page = await client.get("/m/musterdorf/open-data?lang=en")
    assert page.status_code == 200
    for name in DATASETS:
        assert f'href="/open-data/musterdorf/{name}.csv"' in page.text
        assert f'href="/open-data/musterdorf/{name}.json"' in page.text
    assert "Data licence Germany – attribution – version 2.0" in page.text
    assert "Musterdorf, 20" in page.text
    assert f'href="/api/v1/votes/{town.vote.id}/ballots.pb"' in page.text


async def test_administrators_choose_the_licence(
    client: httpx.AsyncClient, town: opendata.Town, settings: Settings
) -> None:
    admin = await person(role=Role.ADMIN, municipality=town.town, lives_in=town.town)
    headers = {"Authorization": f"Bearer {bearer_token(settings, admin)}"}
    bad = await client.patch(
        "/api/v1/municipalities/musterdorf", json={"open_data_licence": "gpl"}, headers=headers
    )
    assert_problem(bad, 422, {"open_data_licence"})
    changed = await client.patch(
        "/api/v1/municipalities/musterdorf",
        json={"open_data_licence": "cc-by/4.0"},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["open_data_licence"] == "cc-by/4.0"
    page = await client.get("/m/musterdorf/open-data?lang=en")
    assert "Creative Commons Attribution 4.0 International" in page.text
    document = (await client.get("/open-data/catalog.jsonld")).json()
    licences = {
        d["dct:license"]["@id"]
        for entry in document["dcat:dataset"]
        for d in entry["dcat:distribution"]
    }
    assert licences == {"http://dcat-ap.de/def/licenses/cc-by/4.0"}


async def _graph(client: httpx.AsyncClient) -> tuple[Graph, bytes]:
    response = await client.get("/open-data/catalog.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    with warnings.catch_warnings():
        # rdflib 7's JSON-LD parser uses its own deprecated ConjunctiveGraph inside.
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=response.content, format="json-ld")
    return graph, response.content


async def test_the_catalogue_is_json_ld_with_every_dcat_ap_de_property(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    await opendata.town("nachbarstadt", "Nachbarstadt")
    graph, _ = await _graph(client)
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef(f"{BASE}/open-data/catalog.jsonld")]
    for prop in CATALOG_REQUIRED + CATALOG_RECOMMENDED:
        assert graph.value(catalogs[0], prop) is not None, prop
    datasets = list(graph.objects(catalogs[0], DCAT.dataset))
    assert len(datasets) == 2 * len(DATASETS)
    for dataset in datasets:
        for prop in DATASET_REQUIRED + DATASET_RECOMMENDED:
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        assert {t.language for t in graph.objects(dataset, DCT.title)} == {"de", "en"}  # type: ignore[attr-defined]
        assert {t.language for t in graph.objects(dataset, DCT.description)} == {"de", "en"}  # type: ignore[attr-defined]
        publisher = graph.value(dataset, DCT.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in graph
        assert str(graph.value(publisher, FOAF.name)) in ("Musterdorf", "Nachbarstadt")
        assert str(graph.value(dataset, DCATDE.politicalGeocodingURI)) == (
            "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05315000"
        )
        assert str(graph.value(dataset, DCATDE.politicalGeocodingLevelURI)) == (
            "http://dcat-ap.de/def/politicalGeocodingLevel/municipality"
        )
        assert str(graph.value(dataset, DCAT.theme)) == (
            "http://publications.europa.eu/resource/authority/data-theme/GOVE"
        )
        contact = graph.value(dataset, DCAT.contactPoint)
        assert str(graph.value(contact, VCARD.hasEmail)) == f"mailto:{opendata.CONTACT}"
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) >= 2
        for distribution in distributions:
            for prop in DISTRIBUTION_REQUIRED + DISTRIBUTION_RECOMMENDED:
                assert graph.value(distribution, prop) is not None, (distribution, prop)
            assert str(graph.value(distribution, DCT.license)) in LICENCES
            assert str(graph.value(distribution, DCT.format)) in FILE_TYPES
            assert str(graph.value(distribution, DCAT.mediaType)) in MEDIA_TYPES
            assert str(graph.value(distribution, DCAT.accessURL)).startswith(BASE + "/")
    pabulib = URIRef(f"{BASE}/api/v1/votes/{town.vote.id}/ballots.pb")
    assert (None, DCAT.distribution, pabulib) in graph


async def test_the_catalogue_names_no_one_but_the_offices_contact(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    _, body = await _graph(client)
    addresses = {m.group(0) for m in EMAIL.finditer(body)}
    assert addresses == {opendata.CONTACT.encode()}
    for someone in ("Ida Initiatorin", "Anna Autorin", "Mona Moderatorin", "Ratsmitglied"):
        assert someone.encode() not in body


async def test_the_downloads_in_the_catalogue_are_the_ones_served(
    client: httpx.AsyncClient, town: opendata.Town
) -> None:
    graph, _ = await _graph(client)
    for url in {str(u) for u in graph.objects(None, DCAT.downloadURL)}:
        assert url.startswith(BASE)
        response = await client.get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        if url.endswith(".json"):
            json.loads(response.content)
