"""Reading an uploaded file from a multipart request, for the API and the pages alike.

Only the upload routes take bodies larger than MAX_REQUEST_BYTES: the body limit lets
them have 20 MB and a little for the form around the file (LARGER_BODIES). Starlette's
parser writes the file part to a temporary file as it arrives (in memory up to 1 MB, on
disk beyond), so no upload is held in memory whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import BinaryIO

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from participation.errors import FieldError, InvalidInput
from participation.files.commands import MAX_BYTES
from participation.files.crest import MAX_CREST_BYTES
from participation.ids import parse_id
from participation.messages import Message
from server.body_limit import Cap

# The form around the file: boundaries, part headers, the CSRF token, the subject.
ENVELOPE = 64 * 1024
LARGER_BODIES = (
    Cap(r"/api/v1/mandates/[0-9]+/attachments", MAX_BYTES + ENVELOPE),
    Cap(r"/mandates/[0-9]+/attachments", MAX_BYTES + ENVELOPE),
    # A municipality's coat of arms: refused by its own check beyond 2 MB, naming the
    # field, and beyond the cap by its handlers, which catch BodyTooLarge.
    Cap(r"/api/v1/municipalities/[^/]+/coat-of-arms", MAX_CREST_BYTES + ENVELOPE, answered=True),
    Cap(r"/m/[^/]+/admin/appearance/coat-of-arms", MAX_CREST_BYTES + ENVELOPE, answered=True),
)
MAX_FIELDS = 8
API_FIELDS = frozenset({"file", "subject_type", "subject_id"})
# The page's form: its CSRF token, and one select for what the file belongs to.
PAGE_FIELDS = frozenset({"file", "csrf_token", "subject"})
MAX_FIELD_BYTES = 4096


@dataclass
class Upload:
    filename: str
    file: BinaryIO
    subject_type: str
    subject_id: int | None
    form: FormData


# How browsers write these three in a multipart file name (WHATWG HTML, "multipart/form-data
# encoding algorithm"); undone so that the name's own rules see what the person chose.
_BROWSER_ESCAPES = {"%22": '"', "%0D": "\r", "%0A": "\n"}


def _unescape(filename: str) -> str:
    for escaped, character in _BROWSER_ESCAPES.items():
        filename = filename.replace(escaped, character).replace(escaped.lower(), character)
    return filename


def _subject_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    parsed = parse_id(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise InvalidInput.on("subject_id", Message("This must be a whole number."))
    return parsed


@asynccontextmanager
async def read_upload(
    request: Request, fields: frozenset[str] = API_FIELDS
) -> AsyncIterator[Upload]:
    """The posted file and its fields; the temporary file goes when the block ends.

    Raises InvalidInput naming `file` (missing, or a body that is no multipart form),
    `subject_id`, and any field not in `fields` or sent twice.
    """
    try:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    except HTTPException as exc:
        message = Message("The upload could not be read: %(reason)s", reason=str(exc.detail))
        raise InvalidInput.on("file", message) from None
    try:
        upload = form.get("file")
        problems = [
            FieldError(name, Message("Unknown field %(name)r.", name=name))
            for name in dict.fromkeys(form.keys())
            if name not in fields
        ]
        problems.extend(
            FieldError(name, Message("This field may be sent only once."))
            for name in fields
            if len(form.getlist(name)) > 1
        )
        if not isinstance(upload, UploadFile) or not upload.filename:
            problems.append(FieldError("file", Message("Choose a file to upload.")))
        subject_type = form.get("subject_type") or "mandate"
        try:
            subject_id = _subject_id(form.get("subject_id"))
        except InvalidInput as exc:
            problems.extend(exc.errors)
            subject_id = None
        if problems:
            raise InvalidInput(Message("The upload has invalid fields."), problems)
        assert isinstance(upload, UploadFile) and upload.filename
        yield Upload(
            filename=_unescape(upload.filename),
            file=upload.file,
            subject_type=str(subject_type),
            subject_id=subject_id,
            form=form,
        )
    finally:
        await form.close()
