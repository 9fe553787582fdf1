"""The paths an invitation's links open: its secret token names it, the score is in the
path. The token is random and stands for the invitation alone, so signing the score too
would add nothing: whoever holds it may give any score, once."""

from __future__ import annotations


def open_path(token: str) -> str:
    return f"/invitations/{token}"


def score_path(token: str, score: int) -> str:
    return f"/invitations/{token}/satisfaction/{score}"


def comment_path(token: str) -> str:
    return f"/invitations/{token}/comment"
