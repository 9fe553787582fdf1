"""How each area's web side declares itself, and how the app finds the declarations.

Every module of server/api/ with an endpoint `Registry`, and every module of
server/pages/ with `PAGES`, is found by scanning its package. Starlette takes the first
route that matches, so each declaration carries an `order`: lower comes first.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from starlette.routing import BaseRoute

from server.settings import Settings


def _no_routes(settings: Settings) -> Sequence[BaseRoute]:
    return ()


@dataclass(frozen=True)
class Pages:
    """An area's HTML routes; `optional` gives those only some settings serve (the dev
    mailbox), placed after every area's ordinary routes."""

    order: int
    routes: Sequence[BaseRoute]
    optional: Callable[[Settings], Sequence[BaseRoute]] = field(default=_no_routes)


def declared(package: ModuleType, name: str, kind: type) -> list[Any]:
    """Each module's `name` that is a `kind`, by its order."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        value = getattr(module, name, None)
        if isinstance(value, kind):
            found.append(value)
    return sorted(found, key=lambda declaration: declaration.order)
