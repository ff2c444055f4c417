"""The results' pieces as htmx fragments, or inside a page of their own for a plain request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response

from infra_mind.web.pages import Pages, is_htmx
from infra_mind.web.session import WebPrincipal


def render_piece(
    request: Request,
    pages: Pages,
    principal: WebPrincipal,
    piece: str,
    title: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    """`results/<piece>.html` alone for htmx (it swaps it into the page it has), else inside page.html."""
    template = f"results/{piece}.html"
    if is_htmx(request):
        values = {**context, "fragment": True}
        return pages.render(request, template, values, principal=principal, status_code=status_code)
    values = {**context, "fragment": False, "inner": template, "page_title": title}
    return pages.render(request, "results/page.html", values, principal=principal, status_code=status_code)
