"""Finding municipalities and districts by the slugs people type into URLs and forms."""

from __future__ import annotations

from participation.municipalities.models import District, Municipality

SLUG_MAX = 64


def possible_slug(slug: str | None) -> bool:
    """Whether `slug` could be stored at all; other text simply names nothing."""
    return slug is not None and 0 < len(slug) <= SLUG_MAX and "\x00" not in slug


async def municipality_by_slug(slug: str) -> Municipality | None:
    return await Municipality.get_or_none(slug=slug) if possible_slug(slug) else None


async def district_by_slug(municipality_id: int, slug: str) -> District | None:
    if not possible_slug(slug):
        return None
    return await District.get_or_none(municipality_id=municipality_id, slug=slug)
