"""A municipality's face: colour by contrast, welcome text, a crest that is only ever a
re-encoded PNG or JPEG, and barrier reports that reach the administrators."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from notifications.models import Reason
from participation.errors import InvalidInput, PermissionDenied
from participation.files import crest, storage
from participation.municipalities import face, legal
from participation.municipalities.models import BarrierReport, Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories
from tests.factories.notifications import dispatch_outbox, notes, told
from tests.support import stored_files

pytestmark = pytest.mark.usefixtures("database")


def png(size: tuple[int, int] = (64, 80), text: str | None = None) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text is not None:
        info.add_text("Comment", text)
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 60, 160)).save(out, "JPEG")
    return out.getvalue()


async def _admin_of(town: Municipality):  # type: ignore[no-untyped-def]
    return await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)


def test_contrast_follows_wcag() -> None:
    assert face.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert face.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    # #767676 is the lightest grey that passes AA on white.
    assert face.contrast("#767676", "#ffffff") >= 4.5 > face.contrast("#777777", "#ffffff")


async def test_a_colour_white_text_cannot_be_read_on_is_refused_with_its_ratio() -> None:
    town = await factories.municipality("hellstadt")
    admin = await _admin_of(town)
    with pytest.raises(InvalidInput) as refused:
        await face.update_face(admin, town.slug, {"primary_color": "#ffdd00"})
    (error,) = refused.value.errors
    assert error.field == "primary_color"
    assert "4.5:1" in str(error.message) and "1.34:1" in str(error.message)
    assert (await Municipality.get(id=town.id)).primary_color is None

    changed = await face.update_face(
        admin, town.slug, {"primary_color": "#1D4F91", "welcome_text": "Willkommen **hier**"}
    )
    assert changed.primary_color == "#1d4f91"
    assert changed.welcome_html is not None and "<strong>hier</strong>" in changed.welcome_html
    event = await OutboxEvent.filter(name="municipalities:face:changed").get()
    assert event.payload == {"fields": ["primary_color", "welcome_text"]}


async def test_bad_fields_are_all_named_and_nothing_changes() -> None:
    town = await factories.municipality("fehlstadt")
    admin = await _admin_of(town)
    with pytest.raises(InvalidInput) as refused:
        await face.update_face(
            admin,
            town.slug,
            {
                "primary_color": "blue",
                "welcome_text": "x" * 501,
                "accessibility_status": "mostly",
                "accessibility_reviewed_on": "gestern",
                "impressum_text": "Rathaus",
            },
        )
    fields = {e.field for e in refused.value.errors}
    assert fields == {
        "primary_color",
        "welcome_text",
        "accessibility_status",
        "accessibility_reviewed_on",
    }
    assert (await Municipality.get(id=town.id)).impressum_text is None


async def test_only_administrators_change_the_face() -> None:
    town = await factories.municipality("fremdstadt")
    council = await factories.council_member(town)
    with pytest.raises(PermissionDenied):
        await face.update_face(council, town.slug, {"primary_color": "#1d4f91"})


async def test_a_crest_is_stored_re_encoded_and_bounded(store: storage.LocalStorage) -> None:
    town = await factories.municipality("wappenstadt")
    admin = await _admin_of(town)
    changed = await crest.set_coat_of_arms(admin, town.slug, png((1200, 900)))
    assert changed.coat_of_arms_type == "image/png"
    assert changed.coat_of_arms_key is not None
    with store.open(changed.coat_of_arms_key) as stored, Image.open(stored) as image:
        assert max(image.size) == crest.CREST_SIDE
    as_jpeg = await crest.set_coat_of_arms(admin, town.slug, jpeg())
    assert as_jpeg.coat_of_arms_type == "image/jpeg"
    assert face.crest_url(as_jpeg) == f"/m/wappenstadt/coat-of-arms/{as_jpeg.coat_of_arms_key[:16]}"  # type: ignore[index]
    removed = await crest.remove_coat_of_arms(admin, town.slug)
    assert removed.coat_of_arms_key is None and face.crest_url(removed) is None


async def test_a_script_in_a_png_text_chunk_does_not_survive(
    store: storage.LocalStorage,
) -> None:
    town = await factories.municipality("skriptstadt")
    admin = await _admin_of(town)
    upload = png(text="<script>alert(1)</script>")
    assert b"<script>" in upload
    changed = await crest.set_coat_of_arms(admin, town.slug, upload)
    (path,) = stored_files(store)
    content = path.read_bytes()
    assert b"<script" not in content and b"Comment" not in content
    assert changed.coat_of_arms_key == path.name


@pytest.mark.parametrize(
    "upload",
    [
        b"GIF89a not a crest",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!doctype html><html><script>alert(1)</script></html>",
        png()[:60],
        b"",
    ],
    ids=["not-an-image", "svg", "html", "cut-off-png", "empty"],
)
async def test_anything_but_a_whole_png_or_jpeg_is_refused_and_nothing_stored(
    store: storage.LocalStorage, upload: bytes
) -> None:
    town = await factories.municipality("prüfstadt")
    admin = await _admin_of(town)
    with pytest.raises(InvalidInput) as refused:
        await crest.set_coat_of_arms(admin, town.slug, upload)
    assert [e.field for e in refused.value.errors] == ["coat_of_arms"]
    assert stored_files(store) == []
    assert (await Municipality.get(id=town.id)).coat_of_arms_key is None


async def test_a_crest_over_two_megabytes_is_refused_with_413(
    store: storage.LocalStorage,
) -> None:
    town = await factories.municipality("großstadt")
    admin = await _admin_of(town)
    with pytest.raises(crest.CrestTooLarge) as refused:
        await crest.set_coat_of_arms(admin, town.slug, png() + b"\0" * crest.MAX_CREST_BYTES)
    assert refused.value.status == 413
    assert [e.field for e in refused.value.errors] == ["coat_of_arms"]
    assert stored_files(store) == []


async def test_a_barrier_report_reaches_the_administrators() -> None:
    town = await factories.municipality("barrierestadt", name="Barrierestadt")
    admin = await _admin_of(town)
    await factories.council_member(town)
    report = await legal.report_barrier(
        None,
        town.slug,
        "Der Kontrast der Knöpfe ist zu schwach.",
        name="Bea",
        email="bea@example.org",
    )
    assert (await BarrierReport.get(id=report.id)).email == "bea@example.org"
    await dispatch_outbox()
    assert await told("municipalities:barrier:reported") == {admin.user_id: Reason.ADMINISTRATOR}
    (note,) = await notes("municipalities:barrier:reported")
    assert note.data["subject_title"] == "Barrierestadt"
    assert note.data["excerpt"] == "Der Kontrast der Knöpfe ist zu schwach."
    assert note.data["url"] == "/m/barrierestadt/admin/appearance#barrier-reports"


async def test_a_barrier_report_needs_a_description_and_a_real_address() -> None:
    town = await factories.municipality("leerstadt")
    with pytest.raises(InvalidInput) as refused:
        await legal.report_barrier(None, town.slug, "  ", email="nicht-erreichbar")
    assert {e.field for e in refused.value.errors} == {"description", "email"}
    assert not await BarrierReport.exists()
