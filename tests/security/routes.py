"""Every route the app serves, read from `app.routes`.

FastAPI 0.165 keeps an included router as one entry of `app.routes` that lists its own routes (with the
prefix applied) through `effective_candidates()`; plain routes and mounts are ordinary Starlette routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

API_PREFIX = "/api/v1/"
OWNED_PARAMS = ("{assessment_id}", "{run_id}", "{draft_id}", "{key_id}")


@dataclass(frozen=True, order=True)
class Endpoint:
    method: str
    path: str

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    @property
    def is_owned(self) -> bool:
        """Scoped to one user's assessment, run (its reports), chat, wizard draft or API key."""
        return any(param in self.path for param in OWNED_PARAMS)


def endpoints(app: FastAPI) -> set[Endpoint]:
    return {Endpoint(method, path) for path, methods in _walk(app.routes) for method in methods}


def mounts(app: FastAPI) -> set[str]:
    return {path for path, methods in _walk(app.routes) if not methods}


def _walk(routes: Iterable[Any]) -> Iterator[tuple[str, frozenset[str]]]:
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _walk(route.effective_candidates())
            continue
        original = getattr(route, "original_route", route)
        methods = frozenset(getattr(original, "methods", None) or ()) - {"HEAD"}
        yield route.path, methods
