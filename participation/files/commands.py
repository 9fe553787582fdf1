"""Attaching a file: the one user action of the files area."""

from __future__ import annotations

import asyncio
import io
from typing import BinaryIO

from participation import unit
from participation.actors import Actor
from participation.errors import DomainError, FieldError, InvalidInput, NotAuthenticated
from participation.files import images, storage, subjects
from participation.files.actions import ATTACH_FILE
from participation.files.filenames import clean_filename
from participation.files.models import Attachment, Subject
from participation.files.sniff import sniff
from participation.mandates.commands import get_visible
from participation.messages import Message
from participation.municipalities.queries import place_of
from participation.permissions import require
from participation.timeline import entries as timeline

MAX_BYTES = 20 * 1024 * 1024


class FileTooLarge(DomainError):
    """413 naming the field, as for a body over the upload route's cap."""

    status = 413
    title = "Payload too large"


TOO_LARGE = Message("A file may have at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))


def _no_subject(subject: Subject, subject_id: int | None) -> Message:
    if subject == Subject.MANDATE:
        return Message("Leave this empty to attach to the mandate itself.")
    if subject_id is None:
        return Message("Choose what the file belongs to.")
    return Message("This does not belong to this mandate.")


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


async def attach_file(
    actor: Actor | None,
    mandate_id: int,
    filename: str,
    data: bytes | BinaryIO,
    subject_type: str = "mandate",
    subject_id: int | None = None,
) -> Attachment:
    """Attach a PDF, CSV, XLSX, ODS, PNG or JPEG file to a mandate or to one of its
    answers, cost analyses or measures.

    The council of the mandate's municipality may attach to all of these, the initiator
    to her mandate itself. Photos are stored without their metadata; identical content
    is stored once. Attaching to something public writes a timeline entry
    (`files:attachment:added`); to a cost analysis still in draft, only an event.

    Raises NotAuthenticated, NotFound (no such mandate, or a draft the actor cannot
    see), PermissionDenied, FileTooLarge (over 20 MB, on `file`) and InvalidInput
    naming each bad field (`subject_type`, `subject_id`, `file`: its name, an empty
    file, a type we do not take, content that is not what the extension says, a
    polyglot); nothing is stored when any check fails.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    mandate = await get_visible(actor, mandate_id)
    stream: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    problems: list[FieldError] = []
    try:
        subject: Subject | None = Subject(subject_type)
    except ValueError:
        subject = None
    owner = mandate.initiator_id if subject == Subject.MANDATE else None
    require(actor, ATTACH_FILE, await place_of(mandate.municipality_id), owner_id=owner)
    info = None
    if subject is None:
        choices = ", ".join(s.value for s in Subject)
        problems.append(
            FieldError("subject_type", Message("Choose one of %(choices)s.", choices=choices))
        )
    else:
        info = await subjects.find(mandate.id, subject, subject_id)
        if info is None:
            problems.append(FieldError("subject_id", _no_subject(subject, subject_id)))
    if _size(stream) > MAX_BYTES:
        raise FileTooLarge(TOO_LARGE, [FieldError("file", TOO_LARGE), *problems])
    sniffed = None
    try:
        name = clean_filename(filename)
        sniffed = await asyncio.to_thread(sniff, name, stream)
    except InvalidInput as exc:
        problems.extend(exc.errors)
    if problems or sniffed is None or info is None or subject is None:
        detail = (
            problems[0].message
            if len(problems) == 1
            else Message("The attachment has invalid fields.")
        )
        raise InvalidInput(detail, problems)
    cleaned = None
    if sniffed.kind.image_format:
        try:
            stream = cleaned = await asyncio.to_thread(images.strip_metadata, sniffed.kind, stream)
        except (OSError, ValueError):
            message = Message(
                "The content of this file is not %(type)s, as its name says.",
                type=sniffed.kind.name,
            )
            raise InvalidInput.on("file", message) from None
    try:
        size = _size(stream)
        key = await asyncio.to_thread(storage.current().put, stream)
    finally:
        if cleaned is not None:
            cleaned.close()
    async with unit.atomic() as u:
        attachment = await Attachment.create(
            mandate_id=mandate.id,
            subject_type=subject,
            subject_id=info.id,
            filename=name,
            content_type=sniffed.content_type,
            size=size,
            sha256=key,
            uploader_id=actor.user_id,
            using_db=u.conn,
        )
        if info.public:
            await timeline.record(
                u,
                mandate.id,
                "attachment",
                "files:attachment:added",
                {
                    "attachment_id": attachment.id,
                    "filename": name,
                    "type": sniffed.kind.name,
                    "size": size,
                    "subject_type": subject.value,
                    "subject_id": info.id,
                    "subject_title": info.title,
                },
                municipality_id=mandate.municipality_id,
                actor_id=actor.user_id,
            )
        else:
            await u.record(
                "files:draft_attachment:added",
                "mandate",
                mandate.id,
                municipality_id=mandate.municipality_id,
                actor_id=actor.user_id,
                attachment_id=attachment.id,
                mandate_id=mandate.id,
                attached_to=subject.value,
                attached_to_id=info.id,
            )
    return attachment
