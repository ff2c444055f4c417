"""The whole journey in a real browser, as the issue's acceptance describes it: sign up, fill the wizard
for one example, start, watch the agents finish live, read costs and recommendations on the dashboard,
download the PDF; and another user cannot open the run."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer, sign_up

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "healthtech-hipaa.yaml"
STEPS_AFTER_COMPANY = 6
RUN_TIMEOUT_MS = 90_000


def _email() -> str:
    return f"journey-{uuid.uuid4().hex[:8]}@example.com"


def _fill_the_wizard(page: Page) -> None:
    """Starts from the example file, then changes the company's name by hand and walks every step."""
    page.get_by_role("link", name="New assessment").first.click()
    page.get_by_label(re.compile(r"^Assessment input as YAML")).set_input_files(EXAMPLE)
    page.get_by_role("button", name="Import YAML").click()
    expect(page.get_by_role("button", name="Create and start analysis")).to_be_enabled()
    page.get_by_role("link", name=re.compile(r"Company")).first.click()
    name = page.locator('[name="company.name"]')
    name.fill("Northwind Clinics")
    page.get_by_role("button", name=re.compile(r"^Save and continue")).click()
    for _ in range(STEPS_AFTER_COMPANY):
        expect(page.locator("#error-summary")).to_have_count(0)
        page.get_by_role("button", name=re.compile(r"^Save and continue")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Review"))
    expect(page.get_by_text("Northwind Clinics").first).to_be_visible()


def test_sign_up_wizard_live_run_dashboard_and_pdf(
    page: Page, chromium: Browser, live_server: LiveServer
) -> None:
    sign_up(page, _email())
    _fill_the_wizard(page)
    page.get_by_role("button", name="Create and start analysis").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    run_url = page.url

    expect(page.locator("#run-status")).to_have_text("completed", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('#agent-rows tr[data-state="completed"]')).to_have_count(11)

    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    for provider in ("aws", "azure", "gcp"):
        expect(page.locator(f"#provider-{provider} .provider-total")).to_have_text(
            re.compile(r"^\$[\d,]+\.\d\d")
        )
    expect(page.locator("#recommendations tbody tr").first).to_be_visible()
    expect(page.locator('canvas[data-chart][data-drawn="true"]')).to_have_count(2)

    with page.expect_download() as download:
        page.get_by_role("link", name="Executive report, PDF").click()
    saved = download.value.path()
    assert Path(saved).read_bytes()[:5] == b"%PDF-"

    stranger = chromium.new_context(base_url=live_server.url)
    try:
        other = stranger.new_page()
        sign_up(other, _email())
        answer = other.goto(run_url)
        assert answer is not None
        assert answer.status == 404
        expect(other.get_by_role("heading", name="Not found")).to_be_visible()
    finally:
        stranger.close()
