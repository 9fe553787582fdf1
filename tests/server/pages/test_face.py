"""Each municipality's face on its pages, the landing page, the appearance page and the
legal pages, as a browser without JavaScript meets them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from participation.accounts.identity.sessions import BROWSER, start_session
from participation.files import crest
from participation.mandates.models import Status
from participation.municipalities import face
from participation.municipalities.models import BarrierReport, Municipality
from participation.permissions import Role
from server.app import create_app
from server.auth import sign_in_cookies
from server.settings import Settings
from tests import factories

# Every test here stores crests: each gets a store of its own.
pytestmark = pytest.mark.usefixtures("store")

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 40), color).save(out, "PNG")
    return out.getvalue()


async def _browse_as(client: httpx.AsyncClient, settings: Settings, user_id: int) -> None:
    started = await start_session(user_id, BROWSER, "tests", timedelta(hours=1))
    for header in sign_in_cookies(settings, started):
        name, _, rest = header.decode().partition("=")
        client.cookies.set(name, rest.split(";", 1)[0])


async def _csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


async def _dressed(slug: str, name: str, color: str, picture: bytes) -> Municipality:
    town = await factories.municipality(slug, name=name)
    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)
    await face.update_face(admin, slug, {"primary_color": color, "welcome_text": f"Hallo {name}"})
    return await crest.set_coat_of_arms(admin, slug, picture)


async def test_two_municipalities_each_show_their_own_name_crest_and_colour(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    north = await _dressed("nordstadt", "Nordstadt", "#1d4f91", _png((10, 10, 120)))
    south = await _dressed("suedstadt", "Südstadt", "#8a1c1c", _png((120, 10, 10)))
    assert north.coat_of_arms_key != south.coat_of_arms_key
    mandate = await factories.mandate(
        await factories.person(lives_in=south), south, Status.COLLECTING
    )
    for town, other, path in (
        (north, south, "/m/nordstadt"),
        (south, north, "/m/suedstadt"),
        (south, north, f"/mandates/{mandate.id}"),
        (north, south, "/m/nordstadt/accessibility"),
    ):
        page = (await client.get(path)).text
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        assert title and title.group(1).strip().endswith(f"· {town.name}")
        assert (
            f'<img class="crest" src="{face.crest_url(town)}" alt="Wappen von {town.name}"' in page
        )
        assert f'href="{face.theme_url(town)}"' in page
        assert f'href="/m/{town.slug}/impressum"' in page
        assert other.name not in page and str(face.crest_url(other)) not in page
    assert "Hallo Nordstadt" in (await client.get("/m/nordstadt")).text

    theme = await client.get(str(face.theme_url(north)))
    assert theme.headers["content-type"].startswith("text/css")
    assert "--brand: #1d4f91;" in theme.text
    assert "immutable" in theme.headers["cache-control"]
    assert "#8a1c1c" in (await client.get(str(face.theme_url(south)))).text

    served = await client.get(str(face.crest_url(north)))
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"]
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.getpixel((0, 0))[:3] == (10, 10, 120)
    # North's crest is not served under South's slug.
    stolen = await client.get(f"/m/suedstadt/coat-of-arms/{north.coat_of_arms_key[:16]}")  # type: ignore[index]
    assert stolen.status_code == 404


async def test_the_landing_page_lists_searches_and_explains(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    await _dressed("nordstadt", "Nordstadt", "#1d4f91", _png())
    await factories.municipality("westdorf", name="Westdorf")
    page = (await client.get("/")).text
    assert "Nordstadt" in page and "Westdorf" in page
    assert len(re.findall(r'<ol class="steps">.*?</ol>', page, re.S)) == 1
    assert page.count("<li>", page.index('class="steps"'), page.index("</ol>")) == 3
    assert 'src="/m/nordstadt/coat-of-arms/' in page
    found = (await client.get("/?q=west")).text
    assert 'href="/m/westdorf"' in found and 'href="/m/nordstadt"' not in found
    assert "Keine Gemeinde heißt wie „Ostheim“." in (await client.get("/?q=Ostheim")).text


async def test_the_landing_page_goes_straight_to_the_only_municipality(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    await factories.municipality("einzig", name="Einzig")
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/m/einzig"


async def test_the_legal_pages_have_their_structure(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    town = await factories.municipality("rechtstadt", name="Rechtstadt")
    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)
    await face.update_face(
        admin,
        town.slug,
        {
            "impressum_text": "Stadt Rechtstadt, vertreten durch **die Bürgermeisterin**",
            "privacy_contact_text": "datenschutz@rechtstadt.example",
            "accessibility_status": "partial",
            "accessibility_barriers": (
                "- PDF-Anhänge sind nicht barrierefrei\n- Karten ohne Textalternative"
            ),
            "accessibility_reviewed_on": "2026-11-02",
        },
    )
    impressum = (await client.get("/m/rechtstadt/impressum")).text
    assert "<h1>Impressum</h1>" in impressum and "<strong>die Bürgermeisterin</strong>" in impressum
    privacy = (await client.get("/m/rechtstadt/privacy-contact")).text
    assert "datenschutz@rechtstadt.example" in privacy
    statement = (await client.get("/m/rechtstadt/accessibility")).text
    for heading in (
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung",
        "Feedback: Barriere melden",
        "Durchsetzungsverfahren",
    ):
        assert heading in statement
    assert "nur teilweise mit der BITV 2.0 vereinbar" in statement
    assert "<li>PDF-Anhänge sind nicht barrierefrei</li>" in statement
    assert "2. November 2026" in statement
    assert "Schlichtungsstelle" in statement


async def test_barrier_feedback_is_re_rendered_in_place_or_stored(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    await factories.municipality("meldestadt", name="Meldestadt")
    token = await _csrf(client, "/m/meldestadt/accessibility")
    refused = await client.post(
        "/m/meldestadt/accessibility",
        data={"csrf_token": token, "description": "", "email": "kaputt", "name": "Kai"},
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and 'href="#description"' in refused.text
    assert (
        '<p class="field-error" id="description-error">Beschreibe die Barriere.</p>' in refused.text
    )
    assert 'aria-describedby="email-error" aria-invalid="true"' in refused.text
    assert 'value="Kai"' in refused.text
    assert not await BarrierReport.exists()
    sent = await client.post(
        "/m/meldestadt/accessibility",
        data={"csrf_token": token, "description": "Der Knopf ist unsichtbar.", "name": "Kai"},
    )
    assert sent.status_code == 303
    assert (await BarrierReport.get()).description == "Der Knopf ist unsichtbar."


async def test_the_appearance_form_re_renders_errors_in_place(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    town = await factories.municipality("farbstadt", name="Farbstadt")
    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)
    await _browse_as(client, settings, admin.user_id)
    assert 'href="/m/farbstadt/admin/appearance"' in (await client.get("/m/farbstadt/admin")).text
    token = await _csrf(client, "/m/farbstadt/admin/appearance")
    refused = await client.post(
        "/m/farbstadt/admin/appearance",
        data={"csrf_token": token, "primary_color": "#ffff00", "welcome_text": "Willkommen"},
    )
    assert refused.status_code == 422
    assert 'id="appearance-error-summary"' in refused.text
    assert 'href="#appearance-primary_color"' in refused.text
    assert 'id="appearance-primary_color" name="primary_color"' in refused.text
    assert re.search(
        r'<p class="field-error" id="appearance-primary_color-error">[^<]*1,07:1[^<]*4,5:1',
        refused.text,
    )
    assert (
        'aria-describedby="appearance-primary_color-hint appearance-primary_color-error" '
        'aria-invalid="true"' in refused.text
    )
    assert ">Willkommen</textarea>" in refused.text
    assert (await Municipality.get(id=town.id)).primary_color is None
    saved = await client.post(
        "/m/farbstadt/admin/appearance",
        data={"csrf_token": token, "primary_color": "#1d4f91", "accessibility_status": "full"},
    )
    assert saved.status_code == 303
    changed = await Municipality.get(id=town.id)
    assert changed.primary_color == "#1d4f91" and changed.accessibility_status == "full"

    not_an_image = await client.post(
        "/m/farbstadt/admin/appearance/coat-of-arms",
        data={"csrf_token": token},
        files={"file": ("wappen.svg", b"<svg><script>alert(1)</script></svg>", "image/svg+xml")},
    )
    assert not_an_image.status_code == 422
    assert '<p class="field-error" id="crest-coat_of_arms-error">' in not_an_image.text
    assert 'href="#crest-coat_of_arms"' in not_an_image.text
    assert 'id="crest-coat_of_arms" name="file"' in not_an_image.text
    # A file over the route's body cap is refused unread, in place all the same.
    too_large = await client.post(
        "/m/farbstadt/admin/appearance/coat-of-arms",
        data={"csrf_token": token},
        files={"file": ("wappen.png", _png() + b"\0" * (4 * 1024 * 1024), "image/png")},
    )
    assert too_large.status_code == 413
    assert (
        '<p class="field-error" id="crest-coat_of_arms-error">'
        "Das Wappen darf höchstens 2 MB groß sein.</p>" in too_large.text
    )
    assert 'href="#crest-coat_of_arms"' in too_large.text
    assert 'aria-invalid="true"' in too_large.text
    assert "bytes" not in too_large.text
    assert (await Municipality.get(id=town.id)).coat_of_arms_key is None
    uploaded = await client.post(
        "/m/farbstadt/admin/appearance/coat-of-arms",
        data={"csrf_token": token},
        files={"file": ("wappen.png", _png(), "image/png")},
    )
    assert uploaded.status_code == 303
    assert (await Municipality.get(id=town.id)).coat_of_arms_type == "image/png"


async def test_only_administrators_see_the_appearance_page(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    town = await factories.municipality("zustadt", name="Zustadt")
    council = await factories.council_member(town)
    assert (await client.get("/m/zustadt/admin/appearance")).status_code == 303
    await _browse_as(client, settings, council.user_id)
    assert (await client.get("/m/zustadt/admin/appearance")).status_code == 403


async def test_the_mailbox_link_is_for_demo_mode_and_never_for_citizens_of_a_real_town(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    await factories.municipality("echtstadt", name="Echtstadt")
    demo_town = await factories.municipality("demo", name="Musterstadt")
    # Debug alone is no demo: no link.
    assert "/dev/mailbox" not in (await client.get("/m/echtstadt")).text
    demo = create_app(settings.__class__(**{**settings.__dict__, "demo": True}))
    async with (
        demo.router.lifespan_context(demo),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=demo), base_url="http://testserver"
        ) as browser,
    ):
        page = (await browser.get("/m/echtstadt")).text
        assert '<a href="/dev/mailbox" class="demo-mark">Demo: Postfach</a>' in page
        citizen = await factories.person(lives_in=demo_town)
        await _browse_as(browser, settings, citizen.user_id)
        assert "/dev/mailbox" not in (await browser.get("/m/echtstadt")).text
        assert "Demo: Postfach" in (await browser.get("/m/demo")).text
        assert "Demo: Postfach" in (await browser.get("/account")).text


async def test_the_mailbox_link_never_shows_to_someone_tied_to_a_real_town_on_any_page(
    client: httpx.AsyncClient, app: Starlette, settings: Settings
) -> None:
    real = await factories.municipality("echtstadt", name="Echtstadt")
    await factories.municipality("demo", name="Musterstadt")
    admin = await factories.person(role=Role.ADMIN, municipality=real)
    resident = await factories.person(lives_in=real)
    demo = create_app(settings.__class__(**{**settings.__dict__, "demo": True}))
    async with demo.router.lifespan_context(demo):
        for person in (admin, resident):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=demo), base_url="http://testserver"
            ) as browser:
                await _browse_as(browser, settings, person.user_id)
                for path in ("/", "/account", "/me/notifications", "/sign-in", "/m/demo"):
                    page = await browser.get(path)
                    assert page.status_code == 200, path
                    assert "/dev/mailbox" not in page.text, path


def test_the_demo_towns_are_the_ones_the_demo_founds() -> None:
    from server.demo import SLUG
    from server.demo_towns import TOWNS
    from server.face import DEMO_SLUGS

    assert {SLUG, *(town.slug for town in TOWNS)} == DEMO_SLUGS
