"""One error shape for every failure: `{"error": code, "detail": message}`, plus `fields` for bad input."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Protocol

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from infra_mind.errors import AuthenticationFailed, FieldError, InfraMindError, InvalidInput, RateLimited

log = structlog.get_logger(__name__)

GENERIC_500_DETAIL = "internal error; quote the request id when reporting it"


class FieldErrorBody(BaseModel):
    path: str
    message: str


class ErrorBody(BaseModel):
    error: str
    detail: str
    fields: list[FieldErrorBody] | None = None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's `responses=`: each status documented with the error model."""
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase} for status in sorted(statuses)
    }


def error_json(
    status: int,
    code: str,
    detail: str,
    *,
    fields: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(
        error=code,
        detail=detail,
        fields=[FieldErrorBody(path=f.path, message=f.message) for f in fields] or None,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


class ErrorPages(Protocol):
    """The web UI's rendering of the same errors, for the requests it serves (`app.state.error_pages`)."""

    def applies(self, request: Request) -> bool: ...

    def render(
        self,
        request: Request,
        status: int,
        code: str,
        detail: str,
        fields: Sequence[FieldError],
        headers: Mapping[str, str] | None,
    ) -> Response: ...


def error_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    fields: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON for the API; a page (or a redirect to sign in) for the web UI's requests."""
    pages: ErrorPages | None = getattr(request.app.state, "error_pages", None)
    if pages is not None and pages.applies(request):
        return pages.render(request, status, code, detail, fields, headers)
    return error_json(status, code, detail, fields=fields, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InfraMindError, _infra_mind_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]


async def _infra_mind_error(request: Request, exc: InfraMindError) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status_code >= 500:
        log.error("api.error", code=exc.code, detail=exc.message, status=exc.status_code)
    else:
        log.info("api.refused", code=exc.code, status=exc.status_code)
    fields = exc.errors if isinstance(exc, InvalidInput) else ()
    return error_response(
        request, exc.status_code, exc.code, exc.message, fields=fields, headers=headers or None
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    fields = [
        FieldError(_field_path(e.get("loc", ())), str(e.get("msg", "invalid")).removeprefix("Value error, "))
        for e in exc.errors()
    ]
    detail = f"{len(fields)} invalid field(s): " + "; ".join(str(f) for f in fields)
    return error_response(request, 422, InvalidInput.code, detail, fields=fields)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if isinstance(exc.__cause__, InfraMindError):
        # FastAPI turns any failure while reading the body into a 400; the body limit's 413 stays a 413
        return await _infra_mind_error(request, exc.__cause__)
    phrase = HTTPStatus(exc.status_code).phrase
    code = re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
    return error_response(request, exc.status_code, code, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method of every route on the path: Starlette's 405 names only the first route that matched it,
    and GET and POST on one path are two routes."""
    methods: set[str] = set()
    for route in request.app.routes:
        match, _ = route.matches({**request.scope, "method": ""})
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def _field_path(loc: Sequence[Any]) -> str:
    """`("body", "email")` → `email`; query, path and header parameters keep their origin."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "(body)"
