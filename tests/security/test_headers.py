"""Security headers on every kind of response: API JSON, web pages and fragments, static files, and
errors (404, 405, 413, 422, the sign-in redirect); the session cookie's flags, over http and https."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.web.session import SESSION_COOKIE

from ..api.conftest import PASSWORD, bearer, client_for, signed_in
from ..web.conftest import BROWSER_HEADERS, browser_for, sign_up

pytestmark = pytest.mark.security

# Swagger UI and ReDoc start with an inline script from FastAPI: they alone may run one (api/middleware.py).
DOCS = {"/docs", "/redoc"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name.lower()] = values
    return parsed


def assert_secure_headers(answer: httpx2.Response, where: str) -> None:
    headers = answer.headers
    csp = directives(headers.get("content-security-policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, f"{where}: no CSP that governs scripts"
    assert "'unsafe-inline'" not in scripts, where
    assert "'unsafe-eval'" not in scripts, where
    assert "*" not in scripts, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY" or csp.get("frame-ancestors") == ["'none'"], where
    assert headers.get("referrer-policy") in ("no-referrer", "same-origin", "strict-origin"), where


async def test_every_kind_of_response_carries_the_security_headers(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(max_request_body_bytes=4096)
    async with client_for(app) as api, browser_for(app) as ada, browser_for(app) as nobody:
        token = (await signed_in(api, "bob@example.com"))["access_token"]
        await sign_up(ada)
        answers = {
            "api json": await api.get("/api/v1/auth/me", headers=bearer(token)),
            "api 401": await api.get("/api/v1/assessments"),
            "api 404": await api.get("/api/v1/runs/nope", headers=bearer(token)),
            "api 405": await api.put("/api/v1/auth/me", headers=bearer(token)),
            "api 413": await api.post("/api/v1/auth/register", content=b"x" * 5000, headers=bearer(token)),
            "api 422": await api.post("/api/v1/auth/register", json={}),
            "unknown path": await api.get("/nowhere"),
            "openapi": await api.get("/openapi.json"),
            "health": await api.get("/health"),
            "web page": await ada.get("/assessments"),
            "web fragment": await ada.get("/settings", headers={"hx-request": "true"}),
            "web 404 page": await ada.get("/runs/nope/dashboard"),
            "web 422 page": await nobody.post("/login", data={"email": "x", "password": ""}),
            "sign-in redirect": await nobody.get("/assessments"),
            "static css": await api.get("/static/app.css"),
            "static js": await api.get("/static/app.js"),
            "static 404": await api.get("/static/missing.js"),
        }
        docs = {path: await api.get(path) for path in DOCS}

    assert answers["web 404 page"].status_code == 404
    assert answers["sign-in redirect"].status_code == 303
    assert answers["api 413"].status_code == 413
    for where, answer in answers.items():
        assert_secure_headers(answer, where)
    for path, answer in docs.items():
        scripts = directives(answer.headers["content-security-policy"])["script-src"]
        assert set(scripts) <= {"'self'", "'unsafe-inline'", "https://cdn.jsdelivr.net"}, path
        assert answer.headers["x-frame-options"] == "DENY"


def cookie_flags(answer: httpx2.Response) -> str:
    cookies = [
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)
    ]
    assert len(cookies) == 1, answer.headers
    return cookies[0].lower()


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(
    app: FastAPI, scheme: str
) -> None:
    transport = httpx2.ASGITransport(app=app, client=("198.51.100.9", 40000))
    async with httpx2.AsyncClient(
        transport=transport, base_url=f"{scheme}://testserver", headers=BROWSER_HEADERS
    ) as browser:
        data = {"email": "ada@example.com", "password": PASSWORD, "password_again": PASSWORD}
        signed_up = await browser.post("/signup", data=data)
        signed_in = await browser.post("/login", data={"email": "ada@example.com", "password": PASSWORD})

    for answer in (signed_up, signed_in):
        flags = cookie_flags(answer)
        assert "httponly" in flags
        assert re.search(r"samesite=(lax|strict)", flags)
        assert ("; secure" in flags) == (scheme == "https")
