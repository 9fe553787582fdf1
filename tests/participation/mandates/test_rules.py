"""Mandate rules besides the lifecycle, without a database."""

from __future__ import annotations

import pytest

from participation.mandates import rules
from participation.mandates.models import Status

S = Status


def test_signatures_are_taken_while_collecting_and_until_the_council_takes_it_up() -> None:
    assert rules.SIGNABLE == {S.COLLECTING, S.SUBMITTED}
    assert rules.WITHDRAWABLE_SIGNATURE == {S.COLLECTING}


@pytest.mark.parametrize(
    ("count", "quorum", "milestone"),
    [
        (0, 100, 0),
        (24, 100, 0),
        (25, 100, 25),
        (49, 100, 25),
        (50, 100, 50),
        (74, 100, 50),
        (75, 100, 75),
        (99, 100, 75),
        (100, 100, 100),
        (250, 100, 100),
        (12, 50, 0),
        (13, 50, 25),
        (25, 50, 50),
        (38, 50, 75),
        (50, 50, 100),
        (1, 3, 25),
        (2, 3, 50),
        (3, 3, 100),
        (0, 0, 100),
    ],
)
def test_milestone_reached(count: int, quorum: int, milestone: int) -> None:
    assert rules.milestone_reached(count, quorum) == milestone


def test_milestones_are_quarter_steps() -> None:
    assert rules.MILESTONES == (25, 50, 75)


def _content(**overrides: object) -> dict[str, str]:
    values: dict[str, object] = {"title": "T", "summary": "S", "body": "", "topics": []}
    values.update(overrides)
    return rules.check_content(**values)  # type: ignore[arg-type]


def test_one_line_fields_refuse_control_and_direction_characters() -> None:
    problems = _content(title="a\u202eb", summary="a\nb", topics=["a\tb"], body="a\u202eb\n\tc")
    assert set(problems) == {"title", "summary", "topics"}


def test_valid_content_has_no_problems() -> None:
    assert _content() == {}
    assert (
        _content(
            title="t" * rules.TITLE_MAX,
            summary="s" * rules.SUMMARY_MAX,
            body="b" * rules.BODY_MAX,
            topics=["x" * rules.TOPIC_MAX] * rules.TOPICS_MAX,
        )
        == {}
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   \n"}, "title"),
        ({"title": "t" * 121}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": " "}, "summary"),
        ({"summary": "s" * 501}, "summary"),
        ({"body": "b" * 20_001}, "body"),
        ({"topics": ["a", "b", "c", "d", "e", "f"]}, "topics"),
        ({"topics": ["x" * 41]}, "topics"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_bad_content_names_the_field(overrides: dict[str, object], field: str) -> None:
    problems = _content(**overrides)
    assert list(problems) == [field]
    assert problems[field]


def test_every_bad_field_is_reported_at_once() -> None:
    problems = _content(title="", summary="s" * 501, body="b" * 20_001)
    assert set(problems) == {"title", "summary", "body"}


def test_limits_match_the_issue() -> None:
    assert (rules.TITLE_MAX, rules.SUMMARY_MAX, rules.BODY_MAX) == (120, 500, 20_000)


def test_topics_are_normalised_tags() -> None:
    assert rules.normalise_topics(["  Verkehr ", "verkehr", "", "Grüne  Stadt", " "]) == [
        "verkehr",
        "grüne stadt",
    ]
