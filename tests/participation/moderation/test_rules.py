"""A moderator's reason follows the platform's one single-line rule, no stricter."""

from __future__ import annotations

import pytest

from participation.moderation import rules


@pytest.mark.parametrize(
    "reason", ["Beleidigung", "\u00cc\u00b9'\u00d6\u0135\U000f85fb", "مسيء \u200f"]
)
def test_a_reason_of_any_script_or_private_use_character_is_accepted(reason: str) -> None:
    assert rules.check_reason(reason) is None


@pytest.mark.parametrize("reason", ["two\nlines", "tab\there", "flip \u202e text"])
def test_a_reason_that_breaks_the_line_is_refused(reason: str) -> None:
    assert rules.check_reason(reason) is not None


def test_a_blank_reason_is_refused() -> None:
    assert rules.check_reason("   ") is not None
