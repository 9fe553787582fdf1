"""A voter's export and deletion: what she took part in, and ballots that stay counted."""

from __future__ import annotations

import pytest

from participation.accounts import privacy
from participation.accounts.models import User
from participation.votes import commands
from participation.votes.models import Ballot, Participation
from tests import factories
from tests.factories import votes as vote_factories

pytestmark = pytest.mark.usefixtures("database")


async def test_the_export_names_her_votes_and_her_ballot_only_while_open() -> None:
    town = await factories.municipality()
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town)
    option = (await vote_factories.option_ids(vote.id))[1]
    voter = await factories.person()
    await commands.cast_ballot(voter, vote.id, [option])
    export = await privacy.export_account(voter)
    assert [v["vote_id"] for v in export["votes"]] == [vote.id]
    assert export["votes"][0]["current_ballot"] == [option]
    await commands.close_vote(council, vote.id, "Schluss.")
    closed = await privacy.export_account(voter)
    assert "current_ballot" not in closed["votes"][0]
    assert [v["id"] for v in (await privacy.export_account(council))["votes_proposed"]] == [vote.id]


async def test_deleting_her_account_keeps_her_ballot_counted() -> None:
    town = await factories.municipality()
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town)
    voter = await factories.person()
    await commands.cast_ballot(voter, vote.id, (await vote_factories.option_ids(vote.id))[:1])
    user = await User.get(id=voter.user_id)
    await privacy.delete_account(voter, user.email)
    assert await Ballot.filter(vote_id=vote.id).count() == 1
    participation = await Participation.get(vote_id=vote.id)
    assert participation.user_id is None
    await commands.close_vote(council, vote.id, "Schluss.")
    published = await commands.publish_vote(council, vote.id)
    assert published.result is not None and published.result["turnout"] == 1
