"""Where a person may be sent next: only a path on this site, whatever the encoding."""

from __future__ import annotations

import pytest

from participation.redirects import MAX_LENGTH, safe_next


@pytest.mark.parametrize(
    "kept",
    [
        "/",
        "/me/mandates",
        "/mandates/3#signatures",
        "/m/demo?status=collecting&district=nord",
        "/account/security?next=%2Fme%2Fmandates",
        "/m/m%C3%BCnchen",
        "/m/münchen",
        "/a:b",
    ],
)
def test_paths_on_this_site_pass_as_they_are(kept: str) -> None:
    assert safe_next(kept) == kept


@pytest.mark.parametrize(
    "attack",
    [
        "/\t/evil.example/x",
        "/\n/evil.example/x",
        "/\r/evil.example/x",
        "\t//evil.example",
        " /x",
        "/x y",
        "/%09/evil.example/x",
        "/%0A/evil.example/x",
        "/%0d/evil.example/x",
        "/%2509/evil.example/x",
        "/%252509/evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%255Cevil.example",
        "//evil.example",
        "//evil.example/x",
        "///evil.example",
        "/%2Fevil.example",
        "/%2fevil.example",
        "%2F%2Fevil.example",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "%6Aavascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "me",
        "",
        "/\u00a0/evil.example",
        "/\u3000/evil.example",
        "/\u2028/evil.example",
        "/\u200b/evil.example",
        "/\ufeff/evil.example",
        "/%E2%80%8B/evil.example",
        "/%C2%A0/evil.example",
        "/\x00",
        "/\x7f",
        "/" + "a" * MAX_LENGTH,
    ],
)
def test_anything_else_falls_back(attack: str) -> None:
    assert safe_next(attack) == "/"
    assert safe_next(attack, fallback="/account") == "/account"


@pytest.mark.parametrize("value", [None, 7, ["/me"], b"/me"])
def test_what_is_not_text_falls_back(value: object) -> None:
    assert safe_next(value) == "/"
