"""The run page in a real browser: it follows a run over SSE to its end, then loads the results."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from .conftest import PASSWORD, sign_up

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "healthtech-hipaa.yaml"


def _analyzed(page: Page, email: str) -> str:
    """The user's run of the example input, started through the API (sequential: it takes a moment)."""
    token = page.request.post("/api/v1/auth/token", form={"username": email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    spec: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    assessment = page.request.post("/api/v1/assessments", data=spec, headers=auth).json()
    run = page.request.post(
        f"/api/v1/assessments/{assessment['id']}/analyze", params={"mode": "sequential"}, headers=auth
    )
    run_id: str = run.json()["id"]
    return run_id


def _favicon(message: ConsoleMessage) -> bool:
    """Chromium asks for /favicon.ico on its own; the site has none."""
    return str(message.location.get("url", "")).endswith("/favicon.ico")


def test_the_run_page_follows_the_run_to_its_end_and_loads_the_results(page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and not _favicon(m) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    dashboards: list[Response] = []
    page.on("response", lambda r: dashboards.append(r) if r.url.endswith("/dashboard") else None)
    streams: list[Request] = []
    page.on("request", lambda r: streams.append(r) if "/live?after=" in r.url else None)
    email = f"run-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, email)
    run_id = _analyzed(page, email)

    page.goto(f"/runs/{run_id}")
    expect(page.get_by_role("heading", name="Agents")).to_be_visible()
    expect(page.locator("#run-status")).to_have_text("completed", timeout=60_000)
    rows = page.locator("#agent-rows tr")
    expect(rows).to_have_count(11)
    expect(page.locator('#agent-rows tr[data-state="completed"]')).to_have_count(11)
    expect(page.locator("#run-phases li.step-done")).to_have_count(5)
    expect(page.locator("#run-timeline rect.bar-completed")).to_have_count(11)
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    expect(page.locator("#dashboard")).to_be_attached()
    page.wait_for_timeout(500)
    assert [urlsplit(r.url).path for r in dashboards] == [f"/runs/{run_id}/dashboard"]
    assert len(streams) == 1, "the page followed the active run over SSE"
    assert problems == []
