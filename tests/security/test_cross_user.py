"""Every route scoped to a user's assessment, run, report, chat, draft or API key, derived from
`app.routes`: another user's token, session and API key get a 404 that reveals nothing; nobody gets a 401
(API) or the sign-in page (web). The owner's data is unchanged afterwards.

tests/api/test_ownership.py covers the API routes by token; this adds the web UI, API keys and drafts.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.store.db import Database
from infra_mind.web.wizard.steps import FIRST_STEP

from ..api.conftest import bearer, client_for, running
from ..web.conftest import browser_for, form
from .routes import Endpoint, endpoints
from .world import QUESTION, Owned, Stranger, ada_owns_everything, bob_signs_in

pytestmark = pytest.mark.security

OTHER_PARAMS = {"kind": "executive", "format": "md", "rank": "1", "slug": FIRST_STEP}
# Managing API keys needs a password login: any API key is refused there before ownership is looked at.
KEY_MANAGEMENT = {Endpoint("DELETE", "/api/v1/auth/api-keys/{key_id}")}
COVERED = {
    Endpoint("GET", "/api/v1/assessments/{assessment_id}"),
    Endpoint("PUT", "/api/v1/assessments/{assessment_id}"),
    Endpoint("DELETE", "/api/v1/assessments/{assessment_id}"),
    Endpoint("POST", "/api/v1/assessments/{assessment_id}/analyze"),
    Endpoint("GET", "/api/v1/assessments/{assessment_id}/runs"),
    Endpoint("POST", "/api/v1/assessments/{assessment_id}/chat"),
    Endpoint("GET", "/api/v1/assessments/{assessment_id}/chat"),
    Endpoint("GET", "/api/v1/runs/{run_id}"),
    Endpoint("GET", "/api/v1/runs/{run_id}/events"),
    Endpoint("POST", "/api/v1/runs/{run_id}/cancel"),
    Endpoint("POST", "/api/v1/runs/{run_id}/rerun-failed"),
    Endpoint("GET", "/api/v1/runs/{run_id}/recommendations"),
    Endpoint("GET", "/api/v1/runs/{run_id}/reports"),
    Endpoint("GET", "/api/v1/runs/{run_id}/reports/{kind}/{format}"),
    Endpoint("DELETE", "/api/v1/auth/api-keys/{key_id}"),
    Endpoint("POST", "/assessments/{assessment_id}/delete"),
    Endpoint("GET", "/assessments/{assessment_id}/ask"),
    Endpoint("POST", "/assessments/{assessment_id}/ask"),
    Endpoint("POST", "/settings/api-keys/{key_id}/revoke"),
    Endpoint("GET", "/runs/{run_id}"),
    Endpoint("GET", "/runs/{run_id}/live"),
    Endpoint("POST", "/runs/{run_id}/cancel"),
    Endpoint("POST", "/runs/{run_id}/rerun-failed"),
    Endpoint("GET", "/runs/{run_id}/dashboard"),
    Endpoint("GET", "/runs/{run_id}/recommendations"),
    Endpoint("GET", "/runs/{run_id}/recommendations/{rank}"),
    Endpoint("GET", "/runs/{run_id}/download/{kind}/{format}"),
    Endpoint("GET", "/wizard/from/{assessment_id}"),
    Endpoint("POST", "/wizard/from/{assessment_id}"),
    Endpoint("GET", "/wizard/{draft_id}/export.yaml"),
    Endpoint("POST", "/wizard/{draft_id}/import"),
    Endpoint("GET", "/wizard/{draft_id}/{slug}"),
    Endpoint("POST", "/wizard/{draft_id}/{slug}"),
}


def url_of(endpoint: Endpoint, owned: Owned) -> str:
    return endpoint.path.format(
        **OTHER_PARAMS,
        assessment_id=owned.assessment_id,
        run_id=owned.run_id,
        draft_id=owned.draft_id,
        key_id=owned.key_id,
    )


async def call_api(
    client: httpx2.AsyncClient, endpoint: Endpoint, owned: Owned, spec: dict[str, Any], auth: dict[str, str]
) -> httpx2.Response:
    """With a valid body, so that nothing but ownership can refuse the request."""
    body: dict[str, Any] | None = None
    if endpoint.method == "PUT":
        body = spec
    elif endpoint.path.endswith("/chat") and endpoint.method == "POST":
        body = {"question": QUESTION}
    return await client.request(endpoint.method, url_of(endpoint, owned), json=body, headers=auth)


async def call_web(
    browser: httpx2.AsyncClient, endpoint: Endpoint, owned: Owned, csrf: str
) -> httpx2.Response:
    url = url_of(endpoint, owned)
    if endpoint.method == "GET":
        return await browser.get(url)
    if endpoint.path.endswith("/import"):
        upload = {"file": ("input.yaml", b"schema_version: '1'\n", "application/yaml")}
        return await browser.post(url, data=form(csrf), files=upload)
    return await browser.post(url, data=form(csrf, question=QUESTION, run_id=owned.run_id))


def assert_hidden(answer: httpx2.Response, owned: Owned, endpoint: Endpoint, status: int = 404) -> None:
    assert answer.status_code == status, (endpoint, answer.status_code, answer.text[:300])
    for secret in owned.secrets:
        assert secret not in answer.text, (endpoint, secret)


async def test_the_route_list_covers_every_owned_route(app: FastAPI) -> None:
    owned_routes = {e for e in endpoints(app) if e.is_owned}
    assert owned_routes == COVERED, (
        f"new: {sorted(owned_routes - COVERED)}; gone: {sorted(COVERED - owned_routes)}"
    )
    documented = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert documented <= {(e.method, e.path) for e in endpoints(app)}, "the route walk misses routes"


async def test_another_user_and_nobody_reach_none_of_the_owners_data(
    app: FastAPI, db: Database, healthtech: dict[str, Any]
) -> None:
    async with (
        running(app),
        client_for(app) as api,
        browser_for(app) as ada,
        browser_for(app) as bob,
        browser_for(app) as nobody,
    ):
        owned = await ada_owns_everything(app, db, api, ada, healthtech)
        stranger = await bob_signs_in(api, bob)
        owner_pages = {
            e: await ada.get(url_of(e, owned)) for e in COVERED if not e.is_api and e.method == "GET"
        }
        before = await owners_view(api, ada, owned)

        for endpoint in sorted(COVERED):
            if endpoint.is_api:
                await try_api(api, endpoint, owned, stranger, healthtech)
            else:
                assert_hidden(await call_web(bob, endpoint, owned, stranger.csrf), owned, endpoint)
                anonymous = await call_web(nobody, endpoint, owned, stranger.csrf)
                assert anonymous.status_code == 303, (endpoint, anonymous.status_code)
                assert anonymous.headers["location"].startswith("/login"), endpoint

        after = await owners_view(api, ada, owned)

    for endpoint, page in owner_pages.items():
        assert page.status_code == 200, (endpoint, page.status_code, page.text[:300])
    assert after == before


async def try_api(
    api: httpx2.AsyncClient, endpoint: Endpoint, owned: Owned, stranger: Stranger, spec: dict[str, Any]
) -> None:
    by_token = await call_api(api, endpoint, owned, spec, bearer(stranger.token))
    assert_hidden(by_token, owned, endpoint)
    assert by_token.json()["error"] == "not_found"
    by_key = await call_api(api, endpoint, owned, spec, bearer(stranger.key))
    assert_hidden(by_key, owned, endpoint, 403 if endpoint in KEY_MANAGEMENT else 404)
    anonymous = await call_api(api, endpoint, owned, spec, {})
    assert anonymous.status_code == 401, (endpoint, anonymous.status_code)
    assert anonymous.json()["error"] == "authentication_failed"


async def owners_view(api: httpx2.AsyncClient, ada: httpx2.AsyncClient, owned: Owned) -> dict[str, Any]:
    """Everything the owner's requests show of the resources the others tried to reach."""
    auth = bearer(owned.token)
    assessment = (await api.get(f"/api/v1/assessments/{owned.assessment_id}", headers=auth)).json()
    run = (await api.get(f"/api/v1/runs/{owned.run_id}", headers=auth)).json()
    keys = (await api.get("/api/v1/auth/api-keys", headers=auth)).json()
    return {
        "assessment": (assessment["version"], assessment["input"]),
        "runs": (await api.get(f"/api/v1/assessments/{owned.assessment_id}/runs", headers=auth)).json(),
        "run": (run["status"], run["finished_at"]),
        "chat": (await api.get(f"/api/v1/assessments/{owned.assessment_id}/chat", headers=auth)).json(),
        "reports": (await api.get(f"/api/v1/runs/{owned.run_id}/reports", headers=auth)).json(),
        "keys": [(k["id"], k["revoked_at"]) for k in keys],
        "draft": (await ada.get(f"/wizard/{owned.draft_id}/export.yaml")).text,
    }
