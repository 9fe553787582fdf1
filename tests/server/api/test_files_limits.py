"""Uploads are limited per account, so one account cannot fill the file store."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from participation.actors import Actor
from participation.files.models import Attachment
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from server.settings import Settings
from tests import factories
from tests.factories import files
from tests.support import assert_problem, make_settings

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "var",
        rate_limits="upload.account=2/hour",
        rate_limit_prefix=f"test-{uuid.uuid4().hex}",
    )


async def test_uploads_are_limited_per_account(
    client: httpx.AsyncClient, town: Municipality, council: Actor, auth: Auth
) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    url = f"/api/v1/mandates/{mandate.id}/attachments"
    for name in ("a.pdf", "b.pdf"):
        sent = await client.post(url, files={"file": (name, files.pdf())}, headers=auth(council))
        assert sent.status_code == 201
    refused = await client.post(url, files={"file": ("c.pdf", files.pdf())}, headers=auth(council))
    assert_problem(refused, 429)
    assert int(refused.headers["retry-after"]) > 0
    other = await client.post(url, files={"file": ("c.pdf", files.pdf())}, headers=auth(initiator))
    assert other.status_code == 201
    assert await Attachment.filter(mandate_id=mandate.id).count() == 3
