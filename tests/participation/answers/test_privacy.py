"""A council member's answers in her export, and what stays when her account goes."""

from __future__ import annotations

import pytest

from participation import clock, privacy
from participation.accounts.privacy import delete_account
from participation.answers import commands
from participation.answers.models import OfficialResponse
from participation.mandates.models import Status
from participation.permissions import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_her_answers_are_exported_and_stay_official_after_she_leaves() -> None:
    town = await factories.municipality(quorum=3)
    council = await factories.person(email="rita@example.org", role=Role.COUNCIL, municipality=town)
    await factories.person(role=Role.ADMIN, municipality=town)
    mandate = await factories.mandate(await factories.person(), town, Status.SUBMITTED)
    await commands.respond_to_mandate(council, mandate.id, "first_answer", "Eingegangen.")
    exported = await privacy.export(council.user_id, clock.now())
    assert [r["body"] for r in exported["official_responses"]] == ["Eingegangen."]
    await delete_account(council, "rita@example.org")
    kept = await OfficialResponse.get(mandate_id=mandate.id)
    assert kept.author_id is None and kept.role == "council" and kept.body == "Eingegangen."
