"""A barrier reported from a municipality's accessibility statement: its administrators are
told, in the inbox and by email (BITV 2.0 § 7 asks that such feedback reaches someone).

Answering it is part of the administrators' office, so the email asks for no consent to
notifications (which an administrator, unlike a co-signer, never had a reason to give);
she may still move it to a digest or off, but never out of her inbox."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.audience import Query, members, nobody
from notifications.catalogue.facts import excerpt, facts
from notifications.kinds import Category, Fanout, Kind
from participation.municipalities.models import BarrierReport, Municipality
from participation.outbox.envelope import Event
from participation.permissions import Role


async def administrators(event: Event) -> Fanout:
    query = Query()
    if event.municipality_id is None:
        return query.add(nobody()).fanout()
    return query.add(
        members(query, event.municipality_id, Role.ADMIN.value, "administrator")
    ).fanout()


async def barrier_data(event: Event) -> dict[str, Any]:
    """The municipality's name as the title, the report's start, and who sent it (if
    they said); the link opens the appearance page's list of reports."""
    report = await BarrierReport.get_or_none(id=event.payload["barrier_report_id"])
    slugs = await Municipality.filter(id=event.municipality_id or 0).values_list("slug", flat=True)
    url = f"/m/{slugs[0]}/admin/appearance#barrier-reports" if slugs else "/"
    data = await facts(
        event,
        "",
        url,
        excerpt=excerpt(report.description) if report else "",
        reporter_name=report.name if report else "",
        reporter_email=report.email if report else "",
        page=report.page if report else "",
    )
    return {**data, "subject_title": data["municipality_name"]}


KINDS = (
    Kind(
        "municipalities:barrier:reported",
        Category.COUNCIL,
        administrators,
        barrier_data,
        consented_by=None,
        optional=False,
    ),
)
