"""Rendering pages: one template environment, the context every page shares, and the error pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from infra_mind.errors import FieldError
from infra_mind.web.formatting import install_filters
from infra_mind.web.session import CSRF_FIELD, WebPrincipal

TEMPLATES_DIR = Path(__file__).parent / "templates"
NOT_WEB_PREFIXES = ("/api/", "/static/", "/metrics", "/health", "/ready", "/docs", "/redoc", "/openapi.json")
SIGN_IN_PATH = "/login"


class Pages:
    def __init__(self) -> None:
        self.templates = Jinja2Templates(directory=TEMPLATES_DIR)
        install_filters(self.templates.env)

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        principal: WebPrincipal | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        values = {"principal": principal, "csrf_field": CSRF_FIELD, **(context or {})}
        return self.templates.TemplateResponse(
            request, template, values, status_code=status_code, headers=dict(headers or {})
        )


class WebErrorPages:
    """The single error handler's HTML side: a page for the web UI's requests, a redirect to sign in."""

    def __init__(self, pages: Pages) -> None:
        self._pages = pages

    def applies(self, request: Request) -> bool:
        path = request.url.path
        if any(path == p.rstrip("/") or path.startswith(p) for p in NOT_WEB_PREFIXES):
            return False
        return is_htmx(request) or "text/html" in request.headers.get("accept", "")

    def render(
        self,
        request: Request,
        status: int,
        code: str,
        detail: str,
        fields: Sequence[FieldError],
        headers: Mapping[str, str] | None,
    ) -> Response:
        if status == 401:
            return redirect(request, sign_in_url(request))
        context = {"status": status, "code": code, "detail": detail, "fields": fields}
        kept = {k: v for k, v in (headers or {}).items() if k.lower() == "retry-after"}
        return self._pages.render(request, "error.html", context, status_code=status, headers=kept)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    """A full-page navigation, also when htmx asked (it follows `HX-Redirect`, not a 303 to a page)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or target == "/":
        return SIGN_IN_PATH
    return f"{SIGN_IN_PATH}?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only a path on this site: `next=https://evil.example` or `//evil.example` lands on the list."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/assessments"
