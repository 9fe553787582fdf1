"""Read side of attachments: lists for the API, the mandate page's section, one file to serve."""

from __future__ import annotations

from typing import Any

from participation.actors import Actor
from participation.errors import NotFound
from participation.files import subjects
from participation.files.actions import ATTACH_FILE, VIEW_UNPUBLISHED
from participation.files.models import Attachment, Subject
from participation.files.sniff import KINDS
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate
from participation.mandates.queries import decode_cursor, encode_cursor
from participation.messages import Message
from participation.permissions import Place, may

_NAMES = {kind.content_type: kind.name for kind in KINDS}


def type_name(content_type: str) -> str:
    """PDF, CSV, … for a stored content type."""
    return _NAMES.get(content_type.split(";")[0].strip(), content_type)


def view(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "mandate_id": attachment.mandate_id,
        "subject_type": attachment.subject_type,
        "subject_id": attachment.subject_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "type": type_name(attachment.content_type),
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": f"/api/v1/attachments/{attachment.id}",
        "created_at": attachment.created_at,
    }


def _sees_unpublished(actor: Actor | None, mandate: Mandate) -> bool:
    return may(actor, VIEW_UNPUBLISHED, Place(mandate.municipality_id))


async def _hidden(mandate: Mandate, actor: Actor | None) -> set[tuple[str, int | None]]:
    """Subjects of the mandate whose attachments `actor` may not see (draft analyses)."""
    if _sees_unpublished(actor, mandate):
        return set()
    every = await subjects.of_mandate(mandate.id, unpublished=True)
    return {(s.type.value, s.id) for s in every if not s.public}


async def list_attachments(
    actor: Actor | None, mandate_id: int, limit: int = 50, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The mandate's attachments `actor` may see, oldest first, a page at a time.

    Raises NotFound for a mandate `actor` cannot see, InvalidInput for a bad cursor.
    """
    mandate = await get_visible(actor, mandate_id)
    after = decode_cursor(cursor)
    hidden = await _hidden(mandate, actor)
    query = Attachment.filter(mandate_id=mandate.id)
    if after is not None:
        query = query.filter(id__gt=after)
    rows = await query.order_by("id")
    visible = [a for a in rows if (a.subject_type, a.subject_id) not in hidden]
    page = visible[:limit]
    more = len(visible) > limit
    return [view(a) for a in page], encode_cursor(page[-1].id) if more and page else None


async def attachment_for(actor: Actor | None, attachment_id: int) -> tuple[Attachment, bool]:
    """The attachment and whether the public may see it.

    Raises NotFound if there is none or `actor` may not see it (the mandate is a draft
    of someone else's, or it belongs to a cost analysis in draft).
    """
    attachment = await Attachment.get_or_none(id=attachment_id)
    missing = NotFound(Message("This attachment does not exist."))
    if attachment is None:
        raise missing
    try:
        mandate = await get_visible(actor, attachment.mandate_id)
    except NotFound:
        raise missing from None
    public = mandate.status != "draft"
    if attachment.subject_type != Subject.MANDATE:
        info = await subjects.find(
            mandate.id, Subject(attachment.subject_type), attachment.subject_id
        )
        if info is None or not info.public:
            if not _sees_unpublished(actor, mandate):
                raise missing
            public = False
    return attachment, public


async def section(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    """The mandate page's attachments: grouped by what they belong to, in the page's
    order, and, for those who may attach, what they may attach to."""
    unpublished = _sees_unpublished(actor, mandate)
    every = await subjects.of_mandate(mandate.id, unpublished=True)
    known = {(s.type.value, s.id): s for s in every if s.public or unpublished}
    groups: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    for attachment in await Attachment.filter(mandate_id=mandate.id).order_by("id"):
        key = (attachment.subject_type, attachment.subject_id)
        if key in known:
            groups.setdefault(key, []).append(view(attachment))
    place = Place(mandate.municipality_id)
    council = may(actor, ATTACH_FILE, place)
    initiator = may(actor, ATTACH_FILE, place, owner_id=mandate.initiator_id)
    return {
        "groups": [
            {
                "subject_type": key[0],
                "subject_id": key[1],
                "title": known[key].title,
                "public": known[key].public,
                "files": items,
            }
            for key, items in sorted(groups.items(), key=lambda item: list(known).index(item[0]))
        ],
        "may_attach": initiator,
        "targets": [
            {"subject_type": s.type.value, "subject_id": s.id, "title": s.title}
            for s in every
            if council or s.type == Subject.MANDATE
        ]
        if initiator
        else [],
    }
