"""Attachments through the API: upload, list, download with the headers that keep files
from ever running as a page of this site."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from datetime import date
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.files.commands import MAX_BYTES
from participation.files.models import Attachment
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from participation.plans.models import Measure
from server.settings import Settings
from tests import factories
from tests.factories import files
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
async def initiator(town: Municipality) -> Actor:
    return await factories.person(name="Ina Initiatorin")


@pytest.fixture
async def mandate(town: Municipality, initiator: Actor, council: Actor) -> Mandate:
    return await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)


def _url(mandate: Mandate) -> str:
    return f"/api/v1/mandates/{mandate.id}/attachments"


async def _upload(
    client: httpx.AsyncClient,
    mandate: Mandate,
    headers: dict[str, str],
    name: str,
    data: bytes,
    **fields: str,
) -> httpx.Response:
    return await client.post(
        _url(mandate), files={"file": (name, data)}, data=fields, headers=headers
    )


def _stored(settings: Settings) -> list[str]:
    root = settings.file_store
    if not root.exists():
        return []
    return [p.name for p in root.rglob("*") if p.is_file() and "incoming" not in p.parts]


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("Bericht.pdf", files.pdf, "PDF"),
        ("Kosten.csv", files.csv, "CSV"),
        ("Kosten.xlsx", files.xlsx, "XLSX"),
        ("Kosten.ods", files.ods, "ODS"),
        ("Plan.png", files.png, "PNG"),
        ("Foto.jpg", files.jpeg, "JPEG"),
    ],
)
async def test_each_type_is_uploaded_listed_and_served(
    client: httpx.AsyncClient,
    mandate: Mandate,
    council: Actor,
    auth: Auth,
    name: str,
    make: Callable[[], bytes],
    kind: str,
) -> None:
    sent = await _upload(client, mandate, auth(council), name, make())
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["filename"], body["type"], body["subject_type"]) == (name, kind, "mandate")
    listed = (await client.get(_url(mandate))).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]] and listed["next"] is None
    served = await client.get(body["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == body["content_type"]
    assert hashlib.sha256(served.content).hexdigest() == body["sha256"]
    assert int(served.headers["content-length"]) == body["size"] == len(served.content)


async def test_downloads_carry_headers_that_keep_them_from_running(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth
) -> None:
    sent = 'Prüfbericht "final" 2026.pdf'
    body = (await _upload(client, mandate, auth(council), sent, files.pdf())).json()
    name = "Prüfbericht _final_ 2026.pdf"
    assert body["filename"] == name
    served = await client.get(body["url"])
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == (
        f"attachment; filename=\"Prufbericht _final_ 2026.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    assert served.headers["x-content-type-options"] == "nosniff"
    policy = served.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert served.headers["etag"] == f'"{body["sha256"]}"'
    assert served.headers["cache-control"] == "public, max-age=3600"
    again = await client.get(body["url"], headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    photo = (await _upload(client, mandate, auth(council), "Foto.jpeg", files.jpeg())).json()
    shown = await client.get(photo["url"])
    assert shown.headers["content-disposition"].startswith('inline; filename="Foto.jpeg"')
    assert "sandbox" in shown.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("Bericht.pdf", files.HTML),
        ("Bericht.pdf", files.pdf() + files.HTML),
        ("Bericht.pdf", files.zip_of(**{"index.html": files.HTML})),
        ("Foto.png", files.gif()),
        ("Foto.png", files.SVG),
        ("Liste.csv", files.HTML),
        ("Seite.html", files.HTML),
        ("../../Bericht.pdf", files.pdf()),
        ("..\\Bericht.pdf", files.pdf()),
        ("Bericht\x1b[31m.pdf", files.pdf()),
    ],
)
async def test_disguised_files_and_bad_names_are_refused_naming_the_file(
    client: httpx.AsyncClient,
    mandate: Mandate,
    council: Actor,
    auth: Auth,
    settings: Settings,
    name: str,
    data: bytes,
) -> None:
    sent = await _upload(client, mandate, auth(council), name, data)
    assert_problem(sent, 422, {"file"})
    assert not await Attachment.exists()
    assert _stored(settings) == []


async def test_a_request_without_a_file_names_the_field(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth
) -> None:
    empty = await client.post(
        _url(mandate), data={"subject_type": "mandate"}, headers=auth(council)
    )
    assert_problem(empty, 422, {"file"})
    json_body = await client.post(_url(mandate), json={"file": "x"}, headers=auth(council))
    assert_problem(json_body, 422, {"file"})
    broken = await client.post(
        _url(mandate),
        content=b"--x\r\nnot really",
        headers={**auth(council), "Content-Type": "multipart/form-data"},
    )
    assert_problem(broken, 422, {"file"})
    bad_id = await _upload(
        client, mandate, auth(council), "a.pdf", files.pdf(), subject_type="measure", subject_id="x"
    )
    assert_problem(bad_id, 422, {"subject_id"})


def _multipart(data: bytes) -> tuple[bytes, str]:
    boundary = "grenze7d9f"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="Gross.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


async def _chunks(body: bytes, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.timeout(300)
async def test_a_21_mb_upload_gets_413_and_nothing_is_stored(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth, settings: Settings
) -> None:
    data = files.pdf() + b"%" * (21 * 1024 * 1024)
    body, boundary = _multipart(data)
    headers = {**auth(council), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    declared = await client.post(_url(mandate), content=body, headers=headers)
    assert_problem(declared, 413)
    request = client.build_request("POST", _url(mandate), content=_chunks(body), headers=headers)
    assert "content-length" not in request.headers
    assert_problem(await client.send(request), 413)
    # Within the route's cap but over 20 MB for the file itself: 413 naming it.
    just_over = files.pdf() + b"%" * (MAX_BYTES + 1)
    sent = await _upload(client, mandate, auth(council), "Gross.pdf", just_over)
    assert_problem(sent, 413, {"file"})
    assert not await Attachment.exists()
    assert _stored(settings) == []


@pytest.mark.timeout(300)
async def test_only_the_upload_route_takes_20_mb(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth, town: Municipality
) -> None:
    data = files.pdf()
    data += b"%" * (MAX_BYTES - len(data))
    sent = await _upload(client, mandate, auth(council), "Genau20.pdf", data)
    assert sent.status_code == 201, sent.text
    assert sent.json()["size"] == MAX_BYTES
    launch = await client.post(
        f"/api/v1/municipalities/{town.slug}/mandates",
        content=b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={**auth(council), "Content-Type": "application/json"},
    )
    assert_problem(launch, 413)
    # A page form elsewhere keeps the small cap too.
    form = await client.post(
        "/sign-in", files={"file": ("a.pdf", data)}, headers={"Accept": "text/html"}
    )
    assert form.status_code == 413


PEOPLE = ["anonymous", "citizen", "initiator", "council", "council elsewhere", "admin"]
# What each may do: attach to the mandate itself, attach to one of its measures.
EXPECTED = {
    "anonymous": (401, 401),
    "citizen": (403, 403),
    "initiator": (201, 403),
    "council": (201, 201),
    "council elsewhere": (403, 403),
    "admin": (201, 201),
}


@pytest.mark.parametrize("who", PEOPLE)
async def test_permission_matrix(
    client: httpx.AsyncClient,
    town: Municipality,
    mandate: Mandate,
    initiator: Actor,
    council: Actor,
    auth: Auth,
    who: str,
) -> None:
    measure = await Measure.create(
        mandate_id=mandate.id,
        title="Bänke",
        planned_start=date(2027, 1, 1),
        planned_end=date(2027, 2, 1),
    )
    people: dict[str, Actor | None] = {
        "anonymous": None,
        "citizen": await factories.person(),
        "initiator": initiator,
        "council": council,
        "council elsewhere": await factories.person(
            role=Role.COUNCIL, municipality=await factories.municipality("anderswo")
        ),
        "admin": await factories.person(role=Role.ADMIN, municipality=town),
    }
    person = people[who]
    headers = auth(person) if person else {}
    own = await _upload(client, mandate, headers, "a.pdf", files.pdf())
    on_measure = await _upload(
        client,
        mandate,
        headers,
        "b.pdf",
        files.pdf(),
        subject_type="measure",
        subject_id=str(measure.id),
    )
    assert (own.status_code, on_measure.status_code) == EXPECTED[who], (own.text, on_measure.text)
    for response in (own, on_measure):
        if response.status_code != 201:
            assert_problem(response, response.status_code)
    expected = sum(code == 201 for code in EXPECTED[who])
    assert await Attachment.filter(mandate_id=mandate.id).count() == expected


async def test_a_drafts_attachments_are_hidden_from_others(
    client: httpx.AsyncClient, town: Municipality, initiator: Actor, auth: Auth
) -> None:
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    body = (await _upload(client, draft, auth(initiator), "Skizze.png", files.png())).json()
    own = await client.get(body["url"], headers=auth(initiator))
    assert own.status_code == 200 and own.headers["cache-control"] == "private, no-cache"
    assert_problem(await client.get(body["url"]), 404)
    assert_problem(await client.get(_url(draft)), 404)
    assert_problem(await client.get("/api/v1/attachments/999999"), 404)


async def test_the_document_declares_the_upload(client: httpx.AsyncClient, app: Starlette) -> None:
    document = (await client.get("/api/openapi.json")).json()
    upload = document["paths"]["/api/v1/mandates/{mandate_id}/attachments"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = document["components"]["schemas"][form["$ref"].split("/")[-1]]
    assert schema["properties"]["file"]["format"] == "binary"
    assert {"201", "401", "403", "404", "413", "422"} <= set(upload["responses"])
    download = document["paths"]["/api/v1/attachments/{attachment_id}"]["get"]
    assert set(download["responses"]["200"]["content"]) == {
        "application/pdf",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "image/png",
        "image/jpeg",
    }


async def test_unknown_and_repeated_fields_are_named(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth
) -> None:
    extra = await _upload(client, mandate, auth(council), "a.pdf", files.pdf(), colour="rot")
    assert_problem(extra, 422, {"colour"})
    twice = await client.post(
        _url(mandate),
        files=[("file", ("a.pdf", files.pdf())), ("file", ("b.pdf", files.pdf()))],
        headers=auth(council),
    )
    assert_problem(twice, 422, {"file"})
    assert not await Attachment.exists()


async def test_her_attachments_are_in_her_export_and_stay_when_she_goes(
    client: httpx.AsyncClient, mandate: Mandate, initiator: Actor, auth: Auth
) -> None:
    body = (await _upload(client, mandate, auth(initiator), "Fotos.pdf", files.pdf())).json()
    export = (await client.get("/api/v1/me/export", headers=auth(initiator))).json()
    assert [(a["id"], a["filename"]) for a in export["attachments"]] == [(body["id"], "Fotos.pdf")]
    me = (await client.get("/api/v1/me", headers=auth(initiator))).json()
    deleted = await client.request(
        "DELETE", "/api/v1/me", json={"confirm_email": me["email"]}, headers=auth(initiator)
    )
    assert deleted.status_code == 204
    kept = await Attachment.get(id=body["id"])
    assert kept.uploader_id is None
    assert (await client.get(body["url"])).status_code == 200


async def test_head_answers_with_the_headers_alone(
    client: httpx.AsyncClient, mandate: Mandate, council: Actor, auth: Auth
) -> None:
    body = (await _upload(client, mandate, auth(council), "a.csv", files.csv())).json()
    head = await client.head(body["url"])
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "text/csv; charset=utf-8"
    assert head.headers["content-length"] == str(body["size"])
