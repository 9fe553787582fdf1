"""`auftrag metrics rebuild`: the rebuild with a progress bar on stderr (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from participation.metrics.rebuild import Rebuilt, rebuild


async def rebuild_with_progress(slug: str | None) -> list[Rebuilt]:
    """Rebuild one municipality's tables or all, one bar per municipality."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        tasks: dict[str, TaskID] = {}

        def show(municipality: str, done: int, total: int) -> None:
            if municipality not in tasks:
                tasks[municipality] = bar.add_task(municipality, total=total)
            bar.update(tasks[municipality], completed=done, total=total)

        return await rebuild(slug, show)
