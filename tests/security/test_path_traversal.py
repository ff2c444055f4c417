"""Report downloads, the wizard's YAML export and static files, asked for paths outside what they serve:
`../`, encoded `%2e%2e%2f`, absolute paths and NUL bytes in every parameter. Always a 404 or 422, never a
file; the same requests with honest values serve the owner's report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from infra_mind.store.db import Database
from infra_mind.web.session import SESSION_COOKIE

from ..api.conftest import bearer, client_for, running
from ..web.conftest import browser_for
from .raw_asgi import raw_get
from .world import ada_owns_everything

pytestmark = pytest.mark.security

ESCAPES = (
    "..",
    "../../../../etc/passwd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "%2e%2e",
    "..%5c..%5cpyproject.toml",
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "executive%00",
    "md%00.html",
    "%00",
    "....//....//etc/passwd",
)
# Contents of files a traversal would reach: the system's, the project's, the package's.
FOREIGN_FILES = (Path("/etc/passwd"), Path(__file__).parents[2] / "pyproject.toml", Path(__file__))


def leaked(body: bytes) -> bool:
    for path in FOREIGN_FILES:
        if path.exists():
            first_line = path.read_bytes().splitlines()[0]
            if first_line and first_line in body:
                return True
    return False


def report_urls(run_id: str, draft_id: str) -> list[tuple[str, str]]:
    """(family, url) for every parameter of every file-serving route, with each escape in turn."""
    urls = []
    for escape in ESCAPES:
        urls += [
            ("api", f"/api/v1/runs/{run_id}/reports/{escape}/md"),
            ("api", f"/api/v1/runs/{run_id}/reports/executive/{escape}"),
            ("api", f"/api/v1/runs/{escape}/reports/executive/md"),
            ("web", f"/runs/{run_id}/download/{escape}/md"),
            ("web", f"/runs/{run_id}/download/executive/{escape}"),
            ("web", f"/runs/{escape}/download/executive/md"),
            ("web", f"/wizard/{escape}/export.yaml"),
            ("web", f"/wizard/{draft_id}/{escape}"),
            ("static", f"/static/{escape}"),
            ("static", f"/static/vendor/{escape}"),
        ]
    return urls


async def test_no_escape_from_the_served_files(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with running(app), client_for(app) as api, browser_for(app) as ada:
        owned = await ada_owns_everything(app, db, api, ada, healthtech)
        cookie = f"{SESSION_COOKIE}={ada.cookies[SESSION_COOKIE]}"
        credentials = {"api": bearer(owned.token), "web": {"cookie": cookie}, "static": {}}
        honest = {
            "api": await raw_get(
                app, f"/api/v1/runs/{owned.run_id}/reports/executive/md", credentials["api"]
            ),
            "web": await raw_get(app, f"/runs/{owned.run_id}/download/executive/md", credentials["web"]),
            "static": await raw_get(app, "/static/app.css"),
        }
        answers = {
            url: await raw_get(app, url, credentials[family])
            for family, url in report_urls(owned.run_id, owned.draft_id)
        }

    for family, answer in honest.items():
        assert answer.status == 200, family
    for url, answer in answers.items():
        assert answer.status in (404, 422), (url, answer.status, answer.body[:200])
        assert not leaked(answer.body), url
        assert answer.body != honest["api"].body, url
