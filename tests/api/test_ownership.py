"""Every route scoped to an assessment or a run, tried by a stranger, by nobody, and by a narrow API key.

The routes come from the app's OpenAPI document: this FastAPI version keeps included routers nested in
`app.routes`, and the document is the flat list of every route the app serves.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from .conftest import bearer, client_for, running, signed_in
from .test_runs_flow import sse_events

pytestmark = pytest.mark.slow

QUESTION = "Which provider is recommended and why?"
SCOPED_PARAMS = ("{assessment_id}", "{run_id}")
PATH_VALUES = {"kind": "executive", "format": "md"}


def scoped_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path template) of every route with an assessment or a run in its path."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if any(param in path for param in SCOPED_PARAMS)
        for method in operations
    }


def request_body(method: str, path: str, healthtech: dict[str, Any]) -> dict[str, Any] | None:
    """A valid body, so that nothing but ownership can refuse the request."""
    if (method, path) == ("PUT", "/api/v1/assessments/{assessment_id}"):
        return healthtech
    if (method, path) == ("POST", "/api/v1/assessments/{assessment_id}/chat"):
        return {"question": QUESTION}
    return None


COVERED = {
    ("GET", "/api/v1/assessments/{assessment_id}"),
    ("PUT", "/api/v1/assessments/{assessment_id}"),
    ("DELETE", "/api/v1/assessments/{assessment_id}"),
    ("POST", "/api/v1/assessments/{assessment_id}/analyze"),
    ("GET", "/api/v1/assessments/{assessment_id}/runs"),
    ("POST", "/api/v1/assessments/{assessment_id}/chat"),
    ("GET", "/api/v1/assessments/{assessment_id}/chat"),
    ("GET", "/api/v1/runs/{run_id}"),
    ("GET", "/api/v1/runs/{run_id}/events"),
    ("POST", "/api/v1/runs/{run_id}/cancel"),
    ("POST", "/api/v1/runs/{run_id}/rerun-failed"),
    ("GET", "/api/v1/runs/{run_id}/recommendations"),
    ("GET", "/api/v1/runs/{run_id}/reports"),
    ("GET", "/api/v1/runs/{run_id}/reports/{kind}/{format}"),
}


async def a_completed_run_with_a_chat(
    client: httpx2.AsyncClient, healthtech: dict[str, Any]
) -> dict[str, str]:
    """User A's token, assessment and run, after the run completed and A asked one question."""
    token = (await signed_in(client, "ada@example.com"))["access_token"]
    auth = bearer(token)
    assessment = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
    run = (await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
    events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    assert events[-1]["event"] == "run.completed"
    asked = await client.post(
        f"/api/v1/assessments/{assessment['id']}/chat", json={"question": QUESTION}, headers=auth
    )
    assert asked.status_code == 200, asked.text
    return {
        "token": token,
        "assessment_id": assessment["id"],
        "run_id": run["id"],
        "name": assessment["name"],
    }


async def attempt(
    client: httpx2.AsyncClient,
    route: tuple[str, str],
    owned: dict[str, str],
    healthtech: dict[str, Any],
    headers: dict[str, str],
) -> httpx2.Response:
    method, template = route
    url = template.format(**PATH_VALUES, assessment_id=owned["assessment_id"], run_id=owned["run_id"])
    return await client.request(method, url, json=request_body(method, template, healthtech), headers=headers)


async def test_every_scoped_route_hides_another_users_data(app: FastAPI, healthtech: dict[str, Any]) -> None:
    routes = scoped_routes(app)
    assert routes == COVERED, "a route scoped to an assessment or a run is missing from (or stale in) COVERED"
    async with running(app), client_for(app) as client:
        owned = await a_completed_run_with_a_chat(client, healthtech)
        owner = bearer(owned["token"])
        before_chat = (
            await client.get(f"/api/v1/assessments/{owned['assessment_id']}/chat", headers=owner)
        ).json()
        stranger = bearer((await signed_in(client, "bob@example.com"))["access_token"])

        for route in sorted(routes):
            refused = await attempt(client, route, owned, healthtech, stranger)
            assert refused.status_code == 404, (route, refused.status_code, refused.text)
            assert refused.json()["error"] == "not_found"
            for secret in (owned["name"], QUESTION, owned["token"]):
                assert secret not in refused.text, route
            anonymous = await attempt(client, route, owned, healthtech, {})
            assert anonymous.status_code == 401, (route, anonymous.status_code, anonymous.text)

        assessment = await client.get(f"/api/v1/assessments/{owned['assessment_id']}", headers=owner)
        run = await client.get(f"/api/v1/runs/{owned['run_id']}", headers=owner)
        runs = await client.get(f"/api/v1/assessments/{owned['assessment_id']}/runs", headers=owner)
        chat = await client.get(f"/api/v1/assessments/{owned['assessment_id']}/chat", headers=owner)
        strangers_list = await client.get("/api/v1/assessments", headers=stranger)

    assert assessment.status_code == 200
    assert assessment.json()["version"] == 1
    assert assessment.json()["name"] == owned["name"]
    assert run.json()["status"] == "completed"
    assert runs.json()["total"] == 1
    assert chat.json() == before_chat
    assert strangers_list.json()["total"] == 0


async def api_key(client: httpx2.AsyncClient, token: str, *scopes: str) -> dict[str, str]:
    created = await client.post(
        "/api/v1/auth/api-keys", json={"name": "ci", "scopes": list(scopes)}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    return bearer(created.json()["key"])


async def test_an_api_key_reaches_only_what_its_scopes_allow(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with running(app), client_for(app) as client:
        owned = await a_completed_run_with_a_chat(client, healthtech)
        assessments_only = await api_key(client, owned["token"], "assessments:read")
        runs_reader = await api_key(client, owned["token"], "runs:read")
        run_url = f"/api/v1/runs/{owned['run_id']}"
        report_url = f"{run_url}/reports/executive/md"

        refused_run = await client.get(run_url, headers=assessments_only)
        refused_report = await client.get(report_url, headers=runs_reader)
        refused_delete = await client.delete(
            f"/api/v1/assessments/{owned['assessment_id']}", headers=runs_reader
        )
        refused_chat = await client.post(
            f"/api/v1/assessments/{owned['assessment_id']}/chat",
            json={"question": QUESTION},
            headers=runs_reader,
        )
        allowed_run = await client.get(run_url, headers=runs_reader)
        allowed_assessment = await client.get(
            f"/api/v1/assessments/{owned['assessment_id']}", headers=assessments_only
        )
        chat = await client.get(
            f"/api/v1/assessments/{owned['assessment_id']}/chat", headers=assessments_only
        )

    for refused in (refused_run, refused_report, refused_delete, refused_chat):
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "permission_denied"
    assert allowed_run.status_code == 200
    assert allowed_run.json()["status"] == "completed"
    assert allowed_assessment.status_code == 200
    assert len(chat.json()) == 2
