"""What every form shares: a field over 256 KiB is too large (413), and nothing is stored."""

from __future__ import annotations

import httpx
import pytest

from participation.accounts.models import User
from server.pages.forms import MAX_FORM
from tests.server.pages.test_pages import csrf


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
async def test_a_form_field_over_256_kib_gets_413(client: httpx.AsyncClient, encoding: str) -> None:
    token = await csrf(client)
    fields = {
        "csrf_token": token,
        "email": "gross@example.org",
        "display_name": "x" * (MAX_FORM + 1),
    }
    if encoding == "multipart":
        sent = await client.post("/sign-in", files={k: (None, v) for k, v in fields.items()})
    else:
        sent = await client.post("/sign-in", data=fields)
    assert sent.status_code == 413
    assert sent.headers["content-type"].startswith("text/html")
    assert "Ein Formularfeld darf höchstens 256 KiB enthalten." in sent.text
    assert not await User.exists(email="gross@example.org")


async def test_a_field_of_exactly_256_kib_is_read(client: httpx.AsyncClient) -> None:
    token = await csrf(client)
    fields = {"csrf_token": token, "email": "x", "display_name": "x" * MAX_FORM}
    sent = await client.post("/sign-in", files={k: (None, v) for k, v in fields.items()})
    assert sent.status_code == 422, "read, then refused for the bad email"
