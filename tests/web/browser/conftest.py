"""Browser tests: Playwright driving Debian's Chromium against `infra-mind serve`'s app on a real socket.

The app is the one `serve` builds (embedded runner on its own thread, offline LLM, SQLite in a temp dir),
served by uvicorn on a thread of this process; the browser runs in its own processes. Playwright's sync
API runs in the test's thread, which has no event loop of its own.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Error, Page, sync_playwright

from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.knowledge.catalog import Knowledge

from ...conftest import skip_or_fail_in_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
START_TIMEOUT_S = 30.0
PASSWORD = "Correct-horse-42"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, knowledge: Knowledge) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{data_dir / 'infra_mind.db'}",
        data_dir=data_dir,
        jwt_secret="browser-test-signing-secret-" + "x" * 32,
        runner_poll_interval_s=0.1,
        registration_rate_limit_per_ip="1000/minute",
        login_rate_limit_per_ip="1000/minute",
    )
    app = create_app(settings, knowledge=knowledge)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start", pytrace=False)
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", data_dir=data_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        skip_or_fail_in_ci(f"no Chromium at {CHROMIUM} (apt-get install chromium; make test installs it)")
    playwright = sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            skip_or_fail_in_ci(f"Chromium at {CHROMIUM} did not start: {exc.message}")
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser profile (no cookies) per test."""
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def sign_up(page: Page, email: str) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/assessments")
