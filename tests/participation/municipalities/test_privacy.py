"""Barrier reports sent while signed in are in the sender's export and lose her name and
address when her account is deleted; the barrier's description stays."""

from __future__ import annotations

import pytest

from participation.accounts import privacy as accounts_privacy
from participation.accounts.models import User
from participation.municipalities import legal
from participation.municipalities.models import BarrierReport
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_her_reports_are_exported_and_lose_who_sent_them_on_deletion() -> None:
    town = await factories.municipality("meldestadt", name="Meldestadt")
    bea = await factories.person(lives_in=town)
    user = await User.get(id=bea.user_id)
    hers = await legal.report_barrier(
        bea, town.slug, "Die Tabelle ist nicht vorlesbar.", name="Bea", email=user.email
    )
    signed_out = await legal.report_barrier(
        None, town.slug, "Der Fokus ist unsichtbar.", name="Udo", email="udo@example.org"
    )

    export = await accounts_privacy.export_account(bea)
    assert [r["id"] for r in export["barrier_reports"]] == [hers.id]

    await accounts_privacy.delete_account(bea, user.email)

    erased = await BarrierReport.get(id=hers.id)
    assert (erased.name, erased.email, erased.reporter_id) == ("", "", None)
    assert erased.description == "Die Tabelle ist nicht vorlesbar."
    kept = await BarrierReport.get(id=signed_out.id)
    assert (kept.name, kept.email) == ("Udo", "udo@example.org")
