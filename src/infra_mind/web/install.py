"""Mounts the web UI on the API's app: pages at the root, static files under /static."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from infra_mind.web.pages import Pages, WebErrorPages
from infra_mind.web.routes import (
    assessments_pages,
    auth_pages,
    results_pages,
    run_pages,
    settings_pages,
    wizard_pages,
)

STATIC_DIR = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    pages = Pages()
    app.state.pages = pages
    app.state.error_pages = WebErrorPages(pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (
        auth_pages.router,
        assessments_pages.router,
        settings_pages.router,
        run_pages.router,
        wizard_pages.router,
        results_pages.router,
    ):
        app.include_router(router)
