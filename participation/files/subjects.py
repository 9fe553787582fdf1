"""What an attachment belongs to: the mandate itself, or one of its answers, cost analyses
or measures, each checked to be of that mandate.

Official answers live in the answers area; this area finds their model by name in the
ORM's registry rather than importing it, so it works whether or not that area is present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import ConfigurationError
from tortoise.models import Model

from participation.costs.models import CostAnalysis, CostRevision
from participation.files.models import Subject
from participation.plans.models import Measure


@dataclass(frozen=True)
class SubjectInfo:
    type: Subject
    id: int | None
    # What the page and the timeline call it (a measure's or a cost analysis' title).
    title: str | None
    # Whether the public may see it (a cost analysis only once published).
    public: bool


def response_model() -> type[Model] | None:
    """The answers area's OfficialResponse, if that area is installed."""
    try:
        return Tortoise.apps.get_model("auftrag", "OfficialResponse")
    except (ConfigurationError, KeyError):
        return None


async def _analysis_titles(analyses: list[CostAnalysis], public: bool) -> dict[int, str]:
    """Each analysis' title: that of its latest revision, or of its latest public one."""
    wanted = {
        a.id: (a.published_revision if public else a.revision)
        for a in analyses
        if (a.published_revision if public else a.revision) is not None
    }
    if not wanted:
        return {}
    rows = await CostRevision.filter(analysis_id__in=list(wanted)).values_list(
        "analysis_id", "number", "title"
    )
    return {aid: title for aid, number, title in rows if wanted.get(aid) == number}


async def find(mandate_id: int, subject: Subject, subject_id: int | None) -> SubjectInfo | None:
    """The subject, if it is of this mandate; None if not (or if there is no such thing)."""
    if subject == Subject.MANDATE:
        return SubjectInfo(subject, None, None, True) if subject_id is None else None
    if subject_id is None:
        return None
    if subject == Subject.MEASURE:
        measure = await Measure.get_or_none(id=subject_id, mandate_id=mandate_id)
        return None if measure is None else SubjectInfo(subject, measure.id, measure.title, True)
    if subject == Subject.COST_ANALYSIS:
        analysis = await CostAnalysis.get_or_none(id=subject_id, mandate_id=mandate_id)
        if analysis is None:
            return None
        public = analysis.published_revision is not None
        title = (await _analysis_titles([analysis], public=public)).get(analysis.id)
        return SubjectInfo(subject, analysis.id, title, public)
    model = response_model()
    if model is None:
        return None
    found: Any = await model.filter(id=subject_id, mandate_id=mandate_id).exists()
    return SubjectInfo(subject, subject_id, None, True) if found else None


async def of_mandate(mandate_id: int, unpublished: bool) -> list[SubjectInfo]:
    """Everything of the mandate a file may be attached to, in the page's order; cost
    analyses in draft only when `unpublished`."""
    found = [SubjectInfo(Subject.MANDATE, None, None, True)]
    model = response_model()
    if model is not None:
        ids: Any = (
            await model.filter(mandate_id=mandate_id).order_by("id").values_list("id", flat=True)
        )
        found.extend(SubjectInfo(Subject.RESPONSE, i, None, True) for i in ids)
    analyses = await CostAnalysis.filter(mandate_id=mandate_id).order_by("id")
    if not unpublished:
        analyses = [a for a in analyses if a.published_revision is not None]
    titles = await _analysis_titles(analyses, public=not unpublished)
    found.extend(
        SubjectInfo(Subject.COST_ANALYSIS, a.id, titles.get(a.id), a.published_revision is not None)
        for a in analyses
    )
    for measure in await Measure.filter(mandate_id=mandate_id).order_by("planned_start", "id"):
        found.append(SubjectInfo(Subject.MEASURE, measure.id, measure.title, True))
    return found
