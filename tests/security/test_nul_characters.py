"""U+0000 in any text a request carries (PostgreSQL's text and JSONB cannot hold it): a 4xx naming the
field, never a 500, on every backend; in paths and queries too."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from ..api.conftest import PASSWORD, bearer, client_for, signed_in
from ..web.conftest import browser_for, csrf_token, form, sign_up
from ..web.test_results_pages import HTMX

pytestmark = pytest.mark.security

NUL = "\x00"


def refused(answer: Any, field: str | None = None) -> None:
    assert 400 <= answer.status_code < 500, (answer.request.url, answer.status_code, answer.text[:300])
    if answer.headers.get("content-type", "").startswith("application/json"):
        body = answer.json()
        assert body["error"]
        assert body["detail"]
        if field is not None:
            assert field in {f["path"] for f in body.get("fields", [])}, body


async def test_the_api_refuses_nul_characters(app: FastAPI, healthtech: dict[str, Any]) -> None:
    async with client_for(app) as api:
        auth = bearer((await signed_in(api, "ada@example.com"))["access_token"])
        created = (await api.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        named = healthtech | {"company": healthtech["company"] | {"name": f"Care{NUL}Bridge"}}

        refused(await api.post("/api/v1/assessments", json=named, headers=auth), "company.name")
        refused(
            await api.put(f"/api/v1/assessments/{created['id']}", json=named, headers=auth), "company.name"
        )
        refused(
            await api.post(
                f"/api/v1/assessments/{created['id']}/chat", json={"question": f"why{NUL}?"}, headers=auth
            ),
            "question",
        )
        refused(
            await api.post(
                "/api/v1/auth/api-keys", json={"name": f"ci{NUL}", "scopes": ["runs:read"]}, headers=auth
            ),
            "name",
        )
        refused(
            await api.post(
                "/api/v1/auth/register", json={"email": f"a{NUL}@example.com", "password": PASSWORD}
            ),
            "email",
        )
        refused(
            await api.post("/api/v1/auth/token", data={"username": f"ada{NUL}@example.com", "password": "x"})
        )
        refused(await api.post("/api/v1/auth/refresh", json={"refresh_token": f"x{NUL}"}))
        refused(await api.get(f"/api/v1/assessments/{created['id']}%00", headers=auth))
        refused(await api.get("/api/v1/runs/%00/reports/executive/md", headers=auth))
        refused(await api.get("/api/v1/assessments?status=%00", headers=auth))
        after = (await api.get("/api/v1/assessments", headers=auth)).json()
    assert after["total"] == 1
    assert after["items"][0]["version"] == created["version"]


async def test_the_web_ui_refuses_nul_characters(app: FastAPI) -> None:
    async with browser_for(app) as ada, browser_for(app) as nobody:
        await sign_up(ada)
        token = await csrf_token(ada)
        draft_url = (await ada.get("/wizard/new")).headers["location"]
        step = await ada.post(draft_url, data=form(token, **{"company.name": f"Care{NUL}Bridge"}))
        key = await ada.post("/settings/api-keys", data=form(token, name=f"ci{NUL}", scopes="runs:read"))
        signup = await nobody.post(
            "/signup", data={"email": f"b{NUL}@example.com", "password": PASSWORD, "password_again": PASSWORD}
        )
        login = await nobody.post("/login", data={"email": f"ada{NUL}@example.com", "password": PASSWORD})
        page = await ada.get(f"{draft_url}%00")
        fragment = await ada.get("/runs/%00/dashboard", headers=HTMX)
    for answer in (step, key, signup, login, page, fragment):
        refused(answer)
