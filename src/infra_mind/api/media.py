"""What a request says its body is."""

from __future__ import annotations

from fastapi import Request


def media_type(request: Request) -> str:
    """The Content-Type without its parameters, lower case; "" when there is none."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def sends_json(request: Request) -> bool:
    kind = media_type(request)
    return kind == "application/json" or kind.endswith("+json")
