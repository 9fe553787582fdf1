"""The names of the live bus's topics: what a reader can follow as it changes."""

from __future__ import annotations


def mandate(mandate_id: int) -> str:
    return f"mandate:{mandate_id}"


def thread(thread_id: int) -> str:
    return f"thread:{thread_id}"


def inbox(user_id: int) -> str:
    return f"user:{user_id}:inbox"


def municipality(slug: str) -> str:
    return f"municipality:{slug}"
