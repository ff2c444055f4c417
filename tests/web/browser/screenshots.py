"""Captures the README's screenshots of the main pages: `make screenshots` (writes docs/screenshots/).

The same app `infra-mind serve` builds, on a temporary SQLite database with the offline LLM, driven by
Debian's Chromium through Playwright: sign up, import an example into the wizard, start the run, wait for
it, then photograph each page at a laptop's 1280 × 800.
"""

from __future__ import annotations

import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from infra_mind.api.app import create_app
from infra_mind.config import Settings

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "healthtech-hipaa.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
PASSWORD = "Correct-horse-42"
VIEWPORT = {"width": 1280, "height": 800}


@contextmanager
def _served(data_dir: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{data_dir / 'infra_mind.db'}",
        data_dir=data_dir,
        jwt_secret="screenshots-signing-secret-" + "x" * 32,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _shoot(page: Page, out: Path, name: str, *, full_page: bool = False) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def capture(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, _served(Path(scratch)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=url, viewport=VIEWPORT).new_page()
        page.goto("/signup")
        _shoot(page, out, "sign-up")
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/assessments")
        page.get_by_role("link", name="New assessment").first.click()
        page.get_by_label(re.compile(r"^Assessment input as YAML")).set_input_files(EXAMPLE)
        page.get_by_role("button", name="Import YAML").click()
        page.get_by_role("link", name=re.compile(r"Workloads")).first.click()
        _shoot(page, out, "wizard-workloads")
        page.get_by_role("link", name=re.compile(r"Review")).first.click()
        _shoot(page, out, "wizard-review")
        page.get_by_role("button", name="Create and start analysis").click()
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
        expect(page.locator("#run-status")).to_have_text("completed", timeout=90_000)
        expect(page.get_by_role("heading", name="Decision")).to_be_visible()
        page.wait_for_timeout(800)  # the charts animate in
        _shoot(page, out, "run")
        page.locator("#decision-title").evaluate("e => e.scrollIntoView()")
        _shoot(page, out, "decision")
        page.locator("#costs-title").evaluate("e => e.scrollIntoView()")
        _shoot(page, out, "costs")
        page.locator("#recs-title").evaluate("e => e.scrollIntoView()")
        _shoot(page, out, "recommendations")
        page.goto("/assessments")
        _shoot(page, out, "assessments")
        browser.close()


if __name__ == "__main__":
    capture(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
