"""What the web routes share: the page renderer, kept on `app.state.pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from infra_mind.web.pages import Pages


async def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


AppPages = Annotated[Pages, Depends(get_pages)]
