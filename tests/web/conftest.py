"""The web UI through the ASGI app, as a browser sends requests: cookies kept, HTML accepted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from ..api.conftest import (
    PASSWORD,
    app,
    app_for,
    cheap_passwords,
    clock,
    database_url,
    db,
    postgresql_database,
    running,
    settings_for,
    sqlite_database,
)

__all__ = [
    "PASSWORD",
    "app",
    "app_for",
    "cheap_passwords",
    "clock",
    "database_url",
    "db",
    "postgresql_database",
    "running",
    "settings_for",
    "sqlite_database",
]

BROWSER_HEADERS = {"accept": "text/html,application/xhtml+xml", "sec-fetch-site": "same-origin"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser_for(app: FastAPI) -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, client=("198.51.100.9", 40000))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver", headers=BROWSER_HEADERS)


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with browser_for(app) as client:
        yield client


async def sign_up(browser: httpx2.AsyncClient, email: str = "ada@example.com") -> httpx2.Response:
    data = {"email": email, "password": PASSWORD, "password_again": PASSWORD}
    return await browser.post("/signup", data=data)


async def csrf_token(browser: httpx2.AsyncClient, page: str = "/settings") -> str:
    match = _CSRF.search((await browser.get(page)).text)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def form(token: str, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": token, **fields}
