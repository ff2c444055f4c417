from __future__ import annotations

import re

import httpx2

from .conftest import csrf_token, form, sign_up


async def test_a_key_is_shown_once_then_listed_by_its_prefix_and_works_on_the_api(
    browser: httpx2.AsyncClient,
) -> None:
    await sign_up(browser)
    token = await csrf_token(browser)
    created = await browser.post(
        "/settings/api-keys", data=form(token, name="nightly CI", scopes=["runs:read", "assessments:read"])
    )
    assert created.status_code == 200
    key = re.search(r'id="new-key" class="secret" type="text" readonly value="([^"]+)"', created.text)
    assert key is not None
    listed = await browser.get("/settings")
    assert key.group(1) not in listed.text
    assert "nightly CI" in listed.text
    api = await browser.get("/api/v1/assessments", headers={"authorization": f"Bearer {key.group(1)}"})
    assert api.status_code == 200


async def test_a_key_needs_a_name_and_a_scope_each_error_beside_its_field(
    browser: httpx2.AsyncClient,
) -> None:
    await sign_up(browser)
    token = await csrf_token(browser)
    answer = await browser.post("/settings/api-keys", data=form(token, name="  "))
    assert answer.status_code == 422
    assert 'id="key-name-error"' in answer.text
    assert 'id="scopes-error"' in answer.text


async def test_a_revoked_key_stops_working(browser: httpx2.AsyncClient) -> None:
    await sign_up(browser)
    token = await csrf_token(browser)
    created = await browser.post("/settings/api-keys", data=form(token, name="tmp", scopes="runs:read"))
    key = re.search(r'readonly value="([^"]+)"', created.text)
    key_id = re.search(r'action="/settings/api-keys/([^/]+)/revoke"', created.text)
    assert key is not None
    assert key_id is not None
    revoked = await browser.post(f"/settings/api-keys/{key_id.group(1)}/revoke", data=form(token))
    assert revoked.status_code == 200
    assert "revoked" in revoked.text
    api = await browser.get("/api/v1/assessments", headers={"authorization": f"Bearer {key.group(1)}"})
    assert api.status_code == 401
