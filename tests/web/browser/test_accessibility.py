"""What a keyboard or screen-reader user relies on, checked in the browser on every main page: each
control has a name, the skip link reaches the content, errors are tied to their fields, and the pages fit a
laptop's width without sideways scrolling."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import sign_up

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "healthtech-hipaa.yaml"
LAPTOP = {"width": 1024, "height": 700}
UNNAMED_CONTROLS = """() => [...document.querySelectorAll('input:not([type=hidden]),select,textarea,button')]
  .filter((e) => !e.closest('[aria-hidden=true]') && !(e.labels && e.labels.length)
                 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
                 && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map((e) => e.outerHTML.slice(0, 120))"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _check_page(page: Page, path: str) -> None:
    page.goto(path)
    assert page.evaluate(UNNAMED_CONTROLS) == [], f"controls without a name on {path}"
    assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at {LAPTOP['width']} px"
    assert page.locator("main#main").count() == 1
    assert page.locator("h1").count() == 1, f"{path} has one top heading"


def test_every_main_page_names_its_controls_and_fits_a_laptop(page: Page) -> None:
    page.set_viewport_size(LAPTOP)
    sign_up(page, f"a11y-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_role("link", name="New assessment").first.click()
    page.get_by_label(re.compile(r"^Assessment input as YAML")).set_input_files(EXAMPLE)
    page.get_by_role("button", name="Import YAML").click()
    draft = re.search(r"/wizard/([0-9a-f-]{36})/", page.url)
    assert draft is not None
    steps = ["company", "infrastructure", "workloads", "ai-ml", "performance", "security", "budget", "review"]
    for step in steps:
        _check_page(page, f"/wizard/{draft.group(1)}/{step}")
    page.get_by_role("button", name="Create and start analysis").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    expect(page.locator("#run-status")).to_have_text("completed", timeout=90_000)
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    assert page.evaluate(UNNAMED_CONTROLS) == []
    assert page.evaluate(OVERFLOW) <= 0
    for path in ("/assessments", "/settings", "/signup", "/login"):
        _check_page(page, path)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Page) -> None:
    sign_up(page, f"a11y-{uuid.uuid4().hex[:8]}@example.com")
    page.goto("/assessments")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_wizard_error_is_beside_its_field_and_announced(page: Page) -> None:
    sign_up(page, f"a11y-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_role("link", name="New assessment").first.click()
    page.locator('[name="company.name"]').fill("Northwind Clinics")
    page.get_by_role("button", name=re.compile(r"^Save and continue")).click()
    expect(page.get_by_role("alert")).to_contain_text("problem")
    size = page.locator('[name="company.size"]')
    expect(size).to_have_attribute("aria-invalid", "true")
    described = size.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described.split() if i.endswith("-error")]
    assert error_ids, "the field names its error"
    expect(page.locator(f"[id='{error_ids[0]}']")).to_be_visible()
    expect(page.locator('[name="company.name"]')).to_have_value("Northwind Clinics")
