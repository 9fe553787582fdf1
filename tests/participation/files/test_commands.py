"""Attaching files: who may, to what, what is stored, and that nothing is when a check fails."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from participation.actors import Actor
from participation.costs.models import CostAnalysis, CostRevision
from participation.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from participation.files import commands, queries
from participation.files.models import Attachment
from participation.files.storage import LocalStorage
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.plans.models import Measure
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import files
from tests.support import stored_files

pytestmark = pytest.mark.usefixtures("database")


async def _setup() -> tuple[Municipality, Actor, Actor, Mandate]:
    town = await factories.municipality(quorum=3)
    initiator = await factories.person(name="Initiatorin")
    council = await factories.council_member(town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)
    return town, initiator, council, mandate


async def _measure(mandate: Mandate, title: str = "Bänke aufstellen") -> Measure:
    return await Measure.create(
        mandate_id=mandate.id,
        title=title,
        planned_start=date(2027, 3, 1),
        planned_end=date(2027, 6, 30),
    )


async def _analysis(
    mandate: Mandate, published: bool, title: str = "Kosten der Bänke"
) -> CostAnalysis:
    analysis = await CostAnalysis.create(
        mandate_id=mandate.id,
        status="published" if published else "draft",
        published_revision=1 if published else None,
    )
    await CostRevision.create(analysis_id=analysis.id, number=1, title=title)
    return analysis


async def _nothing_stored(store: LocalStorage) -> None:
    assert not await Attachment.exists()
    assert not await TimelineEntry.filter(kind="attachment").exists()
    assert not await OutboxEvent.filter(name__startswith="files:").exists()
    assert stored_files(store) == []


async def test_the_council_attaches_a_pdf_shown_on_the_timeline(store: LocalStorage) -> None:
    _, _, council, mandate = await _setup()
    data = files.pdf()
    attachment = await commands.attach_file(council, mandate.id, "Prüfbericht.pdf", data)
    assert attachment.filename == "Prüfbericht.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(data)
    with store.open(attachment.sha256) as handle:
        assert handle.read() == data
    entry = await TimelineEntry.get(mandate_id=mandate.id, kind="attachment")
    assert entry.actor_id == council.user_id
    assert entry.data == {
        "attachment_id": attachment.id,
        "filename": "Prüfbericht.pdf",
        "type": "PDF",
        "size": len(data),
        "subject_type": "mandate",
        "subject_id": None,
        "subject_title": None,
    }
    event = await OutboxEvent.get(name="files:attachment:added")
    assert event.subject_id == mandate.id and event.payload["entry"]["id"] == entry.id


async def test_the_same_bytes_are_stored_once(store: LocalStorage) -> None:
    town, initiator, council, mandate = await _setup()
    other = await factories.mandate(initiator, town, Status.COLLECTING)
    data = files.xlsx()
    first = await commands.attach_file(council, mandate.id, "Kosten.xlsx", data)
    second = await commands.attach_file(initiator, other.id, "Kopie.xlsx", io.BytesIO(data))
    assert first.id != second.id and first.sha256 == second.sha256
    assert len(stored_files(store)) == 1


async def test_photos_lose_their_metadata(store: LocalStorage) -> None:
    _, initiator, _, mandate = await _setup()
    original = files.jpeg(size=(64, 48))
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # GPS coordinates
    attachment = await commands.attach_file(initiator, mandate.id, "Schlagloch.jpg", original)
    with store.open(attachment.sha256) as handle:
        stored = handle.read()
    assert len(stored) == attachment.size
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == "JPEG" and after.size == (64, 48)
        assert not after.getexif()

    png = await commands.attach_file(initiator, mandate.id, "Plan.png", files.png())
    with store.open(png.sha256) as handle:
        stored = handle.read()
    assert b"Hauptstra" not in stored and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == "PNG" and after.getpixel((0, 0)) == (200, 30, 30)


async def test_a_photo_taken_sideways_is_turned_upright(store: LocalStorage) -> None:
    _, initiator, _, mandate = await _setup()
    # Orientation 6: the camera was turned; the picture shows 90° clockwise.
    sideways = files.jpeg(size=(64, 48), tag_0112=6)
    attachment = await commands.attach_file(initiator, mandate.id, "hoch.jpg", sideways)
    with store.open(attachment.sha256) as handle, Image.open(handle) as after:
        assert after.size == (48, 64)
        assert not after.getexif()


async def test_attaching_to_a_measure_and_a_published_cost_analysis(store: LocalStorage) -> None:
    _, _, council, mandate = await _setup()
    measure = await _measure(mandate)
    analysis = await _analysis(mandate, published=True)
    await commands.attach_file(
        council, mandate.id, "Lageplan.pdf", files.pdf(), "measure", measure.id
    )
    await commands.attach_file(
        council, mandate.id, "Angebot.ods", files.ods(), "cost_analysis", analysis.id
    )
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="attachment").order_by("id")
    assert [(e.data["subject_type"], e.data["subject_title"]) for e in entries] == [
        ("measure", "Bänke aufstellen"),
        ("cost_analysis", "Kosten der Bänke"),
    ]
    citizen = await factories.person()
    section = await queries.section(citizen, mandate)
    assert [(g["subject_type"], g["title"]) for g in section["groups"]] == [
        ("cost_analysis", "Kosten der Bänke"),
        ("measure", "Bänke aufstellen"),
    ]
    assert section["may_attach"] is False and section["targets"] == []


async def test_a_draft_cost_analysis_keeps_its_attachments_from_the_public(
    store: LocalStorage,
) -> None:
    _, initiator, council, mandate = await _setup()
    draft = await _analysis(mandate, published=False, title="Entwurf")
    attachment = await commands.attach_file(
        council, mandate.id, "Angebot.pdf", files.pdf(), "cost_analysis", draft.id
    )
    assert not await TimelineEntry.filter(kind="attachment").exists()
    event = await OutboxEvent.get(name="files:draft_attachment:added")
    assert event.payload == {
        "attachment_id": attachment.id,
        "mandate_id": mandate.id,
        "attached_to": "cost_analysis",
        "attached_to_id": draft.id,
    }
    for outsider in (None, initiator, await factories.person()):
        items, _ = await queries.list_attachments(outsider, mandate.id)
        assert items == []
        with pytest.raises(NotFound):
            await queries.attachment_for(outsider, attachment.id)
        assert (await queries.section(outsider, mandate))["groups"] == []
    items, _ = await queries.list_attachments(council, mandate.id)
    assert [i["id"] for i in items] == [attachment.id]
    found, public = await queries.attachment_for(council, attachment.id)
    assert found.id == attachment.id and public is False


async def test_who_may_attach_what(store: LocalStorage) -> None:
    town, initiator, council, mandate = await _setup()
    measure = await _measure(mandate)
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    elsewhere = await factories.municipality("anderswo", name="Anderswo")
    foreign_council = await factories.person(role=Role.COUNCIL, municipality=elsewhere)
    citizen = await factories.person()

    async def attach(actor: Actor | None, subject: str = "mandate") -> None:
        subject_id = measure.id if subject == "measure" else None
        await commands.attach_file(actor, mandate.id, "a.pdf", files.pdf(), subject, subject_id)

    for allowed in (council, admin, initiator):
        await attach(allowed)
    for allowed in (council, admin):
        await attach(allowed, "measure")
    for denied in (citizen, foreign_council):
        with pytest.raises(PermissionDenied):
            await attach(denied)
    with pytest.raises(PermissionDenied):
        await attach(initiator, "measure")
    with pytest.raises(NotAuthenticated):
        await attach(None)
    assert await Attachment.filter(mandate_id=mandate.id).count() == 5


async def test_a_draft_is_attached_to_by_its_initiator_and_invisible_to_others(
    store: LocalStorage,
) -> None:
    town, initiator, _, _ = await _setup()
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    attachment = await commands.attach_file(initiator, draft.id, "Skizze.png", files.png())
    other = await factories.person()
    with pytest.raises(NotFound):
        await commands.attach_file(other, draft.id, "b.pdf", files.pdf())
    with pytest.raises(NotFound):
        await queries.attachment_for(other, attachment.id)
    found, public = await queries.attachment_for(initiator, attachment.id)
    assert found.id == attachment.id and public is False


async def test_subjects_must_be_of_this_mandate(store: LocalStorage) -> None:
    town, initiator, council, mandate = await _setup()
    other = await factories.mandate(initiator, town, Status.COLLECTING)
    foreign_measure = await _measure(other)
    foreign_analysis = await _analysis(other, published=True)
    cases = [
        ("measure", foreign_measure.id, "subject_id"),
        ("cost_analysis", foreign_analysis.id, "subject_id"),
        ("measure", None, "subject_id"),
        ("measure", 999_999, "subject_id"),
        # The answers area is not part of this branch: no answer can be found.
        ("response", 1, "subject_id"),
        ("mandate", 5, "subject_id"),
        ("petition", None, "subject_type"),
    ]
    for subject_type, subject_id, field in cases:
        with pytest.raises(InvalidInput) as caught:
            await commands.attach_file(
                council, mandate.id, "a.pdf", files.pdf(), subject_type, subject_id
            )
        assert [e.field for e in caught.value.errors] == [field], (subject_type, subject_id)
    await _nothing_stored(store)


async def test_every_bad_field_is_named_and_nothing_is_stored(store: LocalStorage) -> None:
    _, _, council, mandate = await _setup()
    with pytest.raises(InvalidInput) as caught:
        await commands.attach_file(council, mandate.id, "Bericht.pdf", files.HTML, "measure", 7)
    assert {e.field for e in caught.value.errors} == {"subject_id", "file"}
    for name, data in [
        ("../Bericht.pdf", files.pdf()),
        ("Bericht\r\n.pdf", files.pdf()),
        ("Bericht.pdf", files.pdf() + files.HTML),
        ("Foto.png", files.gif()),
        ("Foto.png", files.SVG),
    ]:
        with pytest.raises(InvalidInput) as caught:
            await commands.attach_file(council, mandate.id, name, data)
        assert [e.field for e in caught.value.errors] == ["file"]
    await _nothing_stored(store)


async def test_a_file_over_20_mb_is_refused(store: LocalStorage) -> None:
    _, _, council, mandate = await _setup()
    big = files.pdf() + b"%" + b"0" * (commands.MAX_BYTES)
    with pytest.raises(commands.FileTooLarge) as caught:
        await commands.attach_file(council, mandate.id, "Gross.pdf", big)
    assert caught.value.status == 413 and caught.value.errors[0].field == "file"
    await _nothing_stored(store)
    exactly = files.pdf()
    exactly += b"%" * (commands.MAX_BYTES - len(exactly))
    attachment = await commands.attach_file(council, mandate.id, "Genau.pdf", exactly)
    assert attachment.size == commands.MAX_BYTES
