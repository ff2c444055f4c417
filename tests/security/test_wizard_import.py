"""The wizard's YAML import, the web UI's one file upload: files built to exhaust memory or the stack are
refused with the error on the page, fast, and the draft keeps what it had."""

from __future__ import annotations

import time

import httpx2
import pytest
from fastapi import FastAPI

from ..web.conftest import browser_for, csrf_token, form, sign_up

pytestmark = pytest.mark.security


def billion_laughs(levels: int = 9) -> bytes:
    """300 bytes that expand to 9**levels strings once every alias is copied out."""
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines).encode()


def deeply_nested(depth: int = 5000) -> bytes:
    return b"company: " + b"[" * depth + b"]" * depth


async def test_alias_bombs_and_deep_nesting_are_refused(app: FastAPI) -> None:
    async with browser_for(app) as ada:
        await sign_up(ada)
        draft_url = (await ada.get("/wizard/new")).headers["location"]
        draft_id = draft_url.split("/")[2]
        token = await csrf_token(ada, draft_url)
        before = (await ada.get(f"/wizard/{draft_id}/export.yaml")).text

        started = time.monotonic()
        answers = [
            await upload(ada, draft_id, token, content) for content in (billion_laughs(), deeply_nested())
        ]
        elapsed = time.monotonic() - started
        after = (await ada.get(f"/wizard/{draft_id}/export.yaml")).text

    assert [a.status_code for a in answers] == [422, 422]
    assert "anchors and aliases" in answers[0].text
    assert "nesting depth" in answers[1].text or "nested too deeply" in answers[1].text
    assert elapsed < 2, f"took {elapsed:.1f} s"
    assert after == before


async def upload(browser: httpx2.AsyncClient, draft_id: str, token: str, content: bytes) -> httpx2.Response:
    return await browser.post(
        f"/wizard/{draft_id}/import",
        data=form(token),
        files={"file": ("input.yaml", content, "application/yaml")},
    )
