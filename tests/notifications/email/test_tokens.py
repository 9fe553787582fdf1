"""Unsubscribe links: only the app's keys make them, old keys still read them."""

from __future__ import annotations

from notifications.email.tokens import Unsubscribe, read, sign
from notifications.kinds import Category

KEY = "k" * 40


def test_a_signed_link_names_the_person_and_the_categories() -> None:
    token = sign(KEY, 42, [Category.VOTES, Category.MANDATES])
    assert read((KEY,), token) == Unsubscribe(42, (Category.MANDATES, Category.VOTES))


def test_a_changed_or_foreign_link_is_refused() -> None:
    token = sign(KEY, 42, [Category.VOTES])
    assert read((KEY,), token.replace("42.", "43.", 1)) is None
    assert read((KEY,), token.replace("votes", "mandates")) is None
    assert read(("other" * 8,), token) is None
    assert read((KEY,), "") is None
    assert read((KEY,), "1.nothing.abc") is None


def test_a_link_signed_with_an_old_key_still_works_after_rotation() -> None:
    token = sign(KEY, 7, [Category.DISCUSSIONS])
    assert read(("new" * 14, KEY), token) == Unsubscribe(7, (Category.DISCUSSIONS,))
