"""Attachments: upload to a mandate or what belongs to it, list them, download one.

Files are served so that no browser ever renders one as a page of this site: as a
download (`Content-Disposition: attachment`; pictures may show inline), with the type we
checked and `nosniff`, and a policy that sandboxes whatever opens them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from participation.errors import NotFound
from participation.files import commands, queries, storage
from participation.files.filenames import ascii_fallback
from participation.files.sniff import KINDS
from participation.messages import Message
from server import limits, uploads
from server.api.endpoint import Registry
from server.api.files_schemas import (
    AttachmentList,
    AttachmentOut,
    AttachmentQuery,
    AttachmentUpload,
)
from server.auth import actor_of, require_actor

log = logging.getLogger(__name__)
api = Registry(order=76)

CHUNK = 256 * 1024
POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _json(view: dict, status: int = 200) -> JSONResponse:
    body = AttachmentOut.model_validate(view).model_dump(mode="json")
    return JSONResponse(body, status_code=status)


@api(
    "/mandates/{mandate_id:id}/attachments",
    "POST",
    upload=AttachmentUpload,
    response=AttachmentOut,
    status=201,
    auth=True,
    tag="attachments",
    errors=(404, 413, 429),
)
async def attach_file(request: Request, mandate_id: int) -> JSONResponse:
    """Attach a file (multipart field `file`) to a mandate, an answer, a cost analysis or a
    measure."""
    actor = await require_actor(request)
    await limits.check(request, limits.UPLOAD, actor.user_id)
    async with uploads.read_upload(request) as upload:
        attachment = await commands.attach_file(
            actor,
            mandate_id,
            upload.filename,
            upload.file,
            subject_type=upload.subject_type,
            subject_id=upload.subject_id,
        )
    return _json(queries.view(attachment), 201)


@api(
    "/mandates/{mandate_id:id}/attachments",
    query=AttachmentQuery,
    response=AttachmentList,
    tag="attachments",
    errors=(404,),
)
async def list_attachments(
    request: Request, mandate_id: int, query: AttachmentQuery
) -> JSONResponse:
    """The mandate's attachments, oldest first."""
    items, cursor = await queries.list_attachments(
        await actor_of(request), mandate_id, query.limit, query.cursor
    )
    page = AttachmentList.model_validate({"items": items, "next": cursor})
    return JSONResponse(page.model_dump(mode="json"))


def disposition(filename: str, inline: bool) -> str:
    """RFC 6266: an ASCII name for old clients, the real one in `filename*` (RFC 8187)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename)}"


@api(
    "/attachments/{attachment_id:id}",
    tag="attachments",
    errors=(404,),
    media_types=tuple(kind.content_type for kind in KINDS),
    extra_responses={304: "Not modified (If-None-Match named its ETag)"},
)
async def download_attachment(request: Request, attachment_id: int) -> Response:
    """The file itself, as a download (pictures inline)."""
    attachment, public = await queries.attachment_for(await actor_of(request), attachment_id)
    etag = f'"{attachment.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=3600" if public else "private, no-cache",
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    wanted = request.headers.get("if-none-match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    store = storage.current()
    try:
        handle = await asyncio.to_thread(store.open, attachment.sha256)
    except FileNotFoundError:
        log.error("attachment %s: content %s is missing", attachment.id, attachment.sha256)
        raise NotFound(Message("This attachment's content is missing.")) from None
    inline = queries.type_name(attachment.content_type) in ("PNG", "JPEG")

    async def content() -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    headers["Content-Disposition"] = disposition(attachment.filename, inline)
    headers["Content-Length"] = str(attachment.size)
    return StreamingResponse(content(), media_type=attachment.content_type, headers=headers)
