"""Every kind's email reads in German and in English with only the data every kind gives."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from notifications.email import render
from notifications.kinds import Category

KINDS = [
    *(
        f"mandates:mandate:{action}"
        for action in (
            "submitted",
            "reviewed",
            "started",
            "accepted",
            "rejected",
            "completed",
            "expired",
            "withdrawn",
            "published",
        )
    ),
    "mandates:milestone:reached",
    "answers:response:published",
    "answers:mandate:assigned",
    "costs:analysis:published",
    "plans:measure:created",
    "plans:measure:updated",
    "plans:milestone:reached",
    "votes:vote:opened",
    "votes:vote:closing",
    "votes:vote:published",
    "deliberation:comment:replied",
    "deliberation:comment:posted",
    "moderation:comment:hidden",
    "moderation:comment:restored",
    "moderation:account:suspended",
    "council:promise:reminded",
    "council:promise:missed",
    "municipalities:barrier:reported",
]
COMMON = {
    "subject_title": "Radweg <Nordstadt>",
    "url": "/mandates/42",
    "municipality_name": "Musterstadt",
    "actor_name": None,
}
EXTRA = {
    "status": "completed",
    "share": 50,
    "excerpt": "Gute <Idee>",
    "measure_title": "Markierung",
    "closes_at": "2026-06-11T18:00:00+00:00",
    "reason": "Beleidigung",
    "due_at": "2026-06-12T10:00:00+00:00",
}


def _link(path: str) -> str:
    return "https://auftrag.example" + path


def _reader(language: str) -> render.Reader:
    return render.Reader("Anna", language, ZoneInfo("Europe/Berlin"), "https://x/unsubscribe/t")


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("event", KINDS)
def test_each_kind_renders_with_only_the_common_keys(event: str, language: str) -> None:
    out = render.one(render.Item(event, Category.MANDATES, dict(COMMON)), _reader(language), _link)
    assert out.subject and "\n" not in out.subject
    assert "https://auftrag.example/mandates/42" in out.text
    assert 'href="https://auftrag.example/mandates/42"' in out.html
    assert "https://x/unsubscribe/t" in out.text
    assert "<Nordstadt>" not in out.html
    assert "None" not in out.text + out.subject
    greeting = "Hallo Anna," if language == "de" else "Hello Anna,"
    assert out.text.startswith(greeting)


@pytest.mark.parametrize("event", KINDS)
def test_german_and_english_differ_and_the_extra_keys_show(event: str) -> None:
    item = render.Item(event, Category.MANDATES, {**COMMON, **EXTRA, "actor_name": "Ben"})
    german = render.one(item, _reader("de"), _link)
    english = render.one(item, _reader("en"), _link)
    assert german.text != english.text
    assert "&lt;Idee&gt;" in german.html or "Gute" not in german.html


def test_a_completed_mandate_asks_how_well_it_was_done() -> None:
    item = render.Item("mandates:mandate:completed", Category.MANDATES, dict(COMMON))
    out = render.one(item, _reader("en"), _link)
    assert "How well was it done?" in out.text
    assert "https://auftrag.example/mandates/42#rating" in out.text
    assert 'href="https://auftrag.example/mandates/42#rating"' in out.html


def test_a_vote_closing_tomorrow_says_when_in_local_time() -> None:
    item = render.Item("votes:vote:closing", Category.VOTES, {**COMMON, **EXTRA})
    out = render.one(item, _reader("de"), _link)
    assert "Sie endet am 11.06.2026, 20:00:00." in out.text


def test_a_digest_groups_by_subject_in_her_language() -> None:
    items = [
        render.Item("mandates:mandate:accepted", Category.MANDATES, dict(COMMON), "mandate:42"),
        render.Item(
            "votes:vote:opened",
            Category.VOTES,
            {**COMMON, "subject_title": "Haushalt", "url": "/votes/3"},
            "vote:3",
        ),
        render.Item("mandates:mandate:started", Category.MANDATES, dict(COMMON), "mandate:42"),
    ]
    out = render.digest(items, _reader("en"), _link)
    assert out.subject == "Auftrag: 3 new notifications"
    first, second = out.text.index("Accepted:"), out.text.index("Work has started:")
    assert first < second < out.text.index("Haushalt")
    assert "No more emails about mandates, priority votes" in out.text


def test_every_kind_with_templates_is_one_of_those_tested() -> None:
    folder = render.TEMPLATES / "email"
    kinds = {p.name for p in folder.iterdir() if p.is_dir() and (p / "body.html").exists()}
    kinds -= {"digest", "accounts_sign_in_link", "accounts_invitation"}
    # The service-visit invitation has its own tests, in tests/notifications/visits.
    assert kinds - {"visits.invitation.sent"} == {event.replace(":", ".") for event in KINDS}
