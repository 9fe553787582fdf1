"""The demo seed gives a discussion both sides and the council's statement."""

from __future__ import annotations

import pytest

from participation.deliberation import queries
from participation.deliberation.models import Comment, SubjectType, Thread
from participation.mandates.models import Mandate
from server import demo

pytestmark = pytest.mark.usefixtures("database")


async def test_the_demo_discussion_has_both_sides_a_reply_and_an_official_statement() -> None:
    assert await demo.seed(towns=False)
    fountains = await Mandate.get(title=demo.FOUNTAINS)
    thread = await Thread.get(subject_type=SubjectType.MANDATE, subject_id=fountains.id)
    comments = await Comment.filter(thread_id=thread.id).order_by("id")
    assert [c.stance for c in comments] == ["for", "against", "neutral", "neutral"]
    assert comments[2].parent_id == comments[0].id
    official = comments[3]
    assert official.official and official.official_department == "Tiefbauamt"
    balanced = await queries.balanced(None, thread)
    assert [c["id"] for c in balanced["for"]] == [comments[0].id]
    assert [c["id"] for c in balanced["against"]] == [comments[1].id]
