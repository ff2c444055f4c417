"""PostgreSQL's text and JSONB types cannot hold U+0000, and no text this app takes has a use for it: a
request carrying one in a path or query parameter, a JSON value or a form field is refused before its route
runs, naming where, instead of failing in the database with a 500 (or being stored on SQLite only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from infra_mind.api.media import media_type, sends_json
from infra_mind.errors import FieldError, InvalidInput

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"
_JSON_NUL = (b"\\u0000", b"\x00")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_nul(request: Request) -> None:
    """An app-wide dependency. FastAPI has read (and cached) the body before dependencies run."""
    found = [f"path.{k}" for k, v in request.path_params.items() if NUL in str(v)]
    found += [f"query.{k}" for k, v in request.query_params.multi_items() if NUL in k + v]
    if sends_json(request):
        found += await _json_paths(request)
    elif media_type(request) in _FORM_TYPES:
        form = await request.form()
        found += [k for k, v in form.multi_items() if NUL in k or (isinstance(v, str) and NUL in v)]
    if found:
        raise InvalidInput([FieldError(path, MESSAGE) for path in dict.fromkeys(found)])


async def _json_paths(request: Request) -> list[str]:
    body = await request.body()
    if not any(marker in body for marker in _JSON_NUL):
        return []
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return []  # the route refuses a body that is not JSON, with its own message
    return list(_paths_with_nul(data, ""))


def _paths_with_nul(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield path or "(body)"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield child
            yield from _paths_with_nul(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_with_nul(item, f"{path}[{index}]")
