"""Domain messages: English text to whoever reads a string, id and parameters to translators."""

from __future__ import annotations

import json
import pickle

from participation.messages import Message


def test_a_message_reads_as_its_english_text() -> None:
    message = Message("At most %(max)s topics.", max=5)
    assert message == "At most 5 topics."
    assert json.dumps({"detail": message}) == '{"detail": "At most 5 topics."}'
    assert (message.id, message.params) == ("At most %(max)s topics.", {"max": 5})


def test_a_message_without_parameters_is_its_id_as_written() -> None:
    assert Message("100% sure.") == "100% sure."


def test_a_message_is_translated_before_its_parameters_are_filled_in() -> None:
    german = {"At most %(max)s topics.": "Höchstens %(max)s Themen."}
    message = Message("At most %(max)s topics.", max=5)
    assert message.translated(lambda msgid: german.get(msgid, msgid)) == "Höchstens 5 Themen."


def test_a_message_keeps_its_id_and_parameters_through_pickling() -> None:
    message = pickle.loads(pickle.dumps(Message("At most %(max)s topics.", max=5)))
    assert isinstance(message, Message)
    assert (str(message), message.id, message.params) == (
        "At most 5 topics.",
        "At most %(max)s topics.",
        {"max": 5},
    )
