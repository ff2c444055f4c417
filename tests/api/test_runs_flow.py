"""The whole flow through the ASGI app on SQLite and PostgreSQL, with the real pipeline (offline)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from .conftest import bearer, client_for, running, signed_in

KEYS = "/api/v1/auth/api-keys"


async def signed_in_with_assessment(
    client: httpx2.AsyncClient, spec: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Any]]:
    auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
    return auth, (await client.post("/api/v1/assessments", json=spec, headers=auth)).json()


pytestmark = pytest.mark.slow


def sse_events(body: str) -> list[dict[str, Any]]:
    """The `id`, `event` and parsed `data` of each event in an SSE body (pings are comments)."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields[name] = value
        if "data" in fields:
            fields["data"] = json.loads(fields["data"])
            events.append(fields)
    return events


async def test_register_create_analyze_follow_and_fetch_everything(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with running(app), client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        created = await client.post("/api/v1/assessments", json=healthtech, headers=auth)
        assert created.status_code == 201, created.text
        assessment = created.json()
        assert assessment["name"] == healthtech["company"]["name"]
        assert created.headers["location"] == f"/api/v1/assessments/{assessment['id']}"

        accepted = await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)
        assert accepted.status_code == 202, accepted.text
        run = accepted.json()
        assert run["status"] == "queued"
        assert run["links"]["events"] == f"/api/v1/runs/{run['id']}/events"

        stream = await client.get(run["links"]["events"], headers=auth)
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = sse_events(stream.text)
        ids = [int(e["id"]) for e in events]
        assert ids == list(range(1, len(ids) + 1))
        assert events[0]["event"] == "run.started"
        assert events[-1]["event"] == "run.completed"
        assert {e["data"]["agent"] for e in events if e["event"] == "agent.completed"} == set(
            events[0]["data"]["data"]["agents"]
        )

        resumed = await client.get(run["links"]["events"], headers=auth | {"Last-Event-ID": str(ids[-3])})
        assert [int(e["id"]) for e in sse_events(resumed.text)] == ids[-2:]

        view = (await client.get(run["links"]["self"], headers=auth)).json()
        assert view["status"] == "completed"
        assert view["progress_pct"] == 100
        assert len(view["agents"]) == 11
        assert all(a["state"] == "completed" and a["pct"] == 100 for a in view["agents"])
        assert view["metrics"]["total_time"] > 0
        assert view["last_event_id"] == ids[-1]

        recommendations = (await client.get(run["links"]["recommendations"], headers=auth)).json()
        assert recommendations["total"] > 0
        assert [r["rank"] for r in recommendations["items"]] == list(
            range(1, len(recommendations["items"]) + 1)
        )
        critical = await client.get(
            run["links"]["recommendations"], params={"priority": "critical"}, headers=auth
        )
        assert all(r["priority"] == "critical" for r in critical.json()["items"])

        listed = (await client.get(run["links"]["reports"], headers=auth)).json()
        assert {(r["kind"], r["format"]) for r in listed} >= {("executive", "md"), ("backlog", "csv")}
        for kind, fmt, media in (
            ("executive", "md", "text/markdown"),
            ("technical", "json", "application/json"),
            ("backlog", "csv", "text/csv"),
            ("cfo", "html", "text/html"),
            ("ciso", "pdf", "application/pdf"),
        ):
            report = await client.get(f"{run['links']['reports']}/{kind}/{fmt}", headers=auth)
            assert report.status_code == 200, (kind, fmt, report.text[:200])
            assert report.headers["content-type"].startswith(media)
            assert f"{kind}.{fmt}" in report.headers["content-disposition"]
            assert report.content
        pdf = await client.get(f"{run['links']['reports']}/ciso/pdf", headers=auth)
        assert pdf.content.startswith(b"%PDF")
        html = await client.get(f"{run['links']['reports']}/cfo/html", headers=auth)
        assert "sandbox" in html.headers["content-security-policy"]


async def test_analyze_twice_is_409_and_an_idempotency_key_replays(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with client_for(app) as client:
        auth, assessment = await signed_in_with_assessment(client, healthtech)
        analyze = f"/api/v1/assessments/{assessment['id']}/analyze"
        keyed = auth | {"Idempotency-Key": "retry-1"}
        first = await client.post(analyze, headers=keyed)
        again = await client.post(analyze, headers=keyed)
        other = await client.post(analyze, headers=auth)
        sequential = await client.post(analyze, params={"mode": "sequential"}, headers=keyed)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert other.json()["error"] == "run_already_active"
    assert sequential.status_code == 409
    assert "Idempotency-Key" in sequential.json()["detail"]


async def test_an_api_key_analyzes_with_the_runs_write_scope_only(
    app: FastAPI, healthtech: dict[str, Any]
) -> None:
    async with client_for(app) as client:
        auth, assessment = await signed_in_with_assessment(client, healthtech)
        analyze = f"/api/v1/assessments/{assessment['id']}/analyze"
        keys = {
            scope: (await client.post(KEYS, json={"name": scope, "scopes": [scope]}, headers=auth)).json()
            for scope in ("runs:read", "runs:write")
        }
        refused = await client.post(analyze, headers=bearer(keys["runs:read"]["key"]))
        accepted = await client.post(analyze, headers=bearer(keys["runs:write"]["key"]))
        elsewhere = await client.post(
            "/api/v1/assessments/no-such-assessment/analyze", headers=bearer(keys["runs:write"]["key"])
        )
        view = await client.get(f"/api/v1/runs/{accepted.json()['id']}", headers=auth)
    assert refused.status_code == 403
    assert accepted.status_code == 202
    assert elsewhere.status_code == 404
    assert view.json()["assessment_id"] == assessment["id"]


async def test_invalid_input_lists_every_field(app: FastAPI, healthtech: dict[str, Any]) -> None:
    broken = healthtech | {"company": healthtech["company"] | {"size": "huge"}, "workloads": []}
    async with client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        response = await client.post("/api/v1/assessments", json=broken, headers=auth)
        not_json = await client.post("/api/v1/assessments", content=b"{nope", headers=auth)
        listed = await client.get("/api/v1/assessments", headers=auth)
    assert response.status_code == 422
    paths = {f["path"] for f in response.json()["fields"]}
    assert {"company.size", "workloads"} <= paths
    assert not_json.status_code == 400
    assert not_json.json()["error"] == "input_unreadable"
    assert listed.json()["total"] == 0


async def test_cancel_a_queued_run(app: FastAPI, healthtech: dict[str, Any]) -> None:
    async with client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        assessment = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        run = (await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
        cancelled = await client.post(run["links"]["cancel"], headers=auth)
        again = await client.post(run["links"]["cancel"], headers=auth)
        view = (await client.get(run["links"]["self"], headers=auth)).json()
        events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    assert cancelled.status_code == 202
    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert view["status"] == "cancelled"
    assert events[-1]["event"] == "run.cancelled"


async def test_assessments_page_filter_update_and_delete(app: FastAPI, healthtech: dict[str, Any]) -> None:
    async with client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        ids = []
        for name in ("Clinic portal", "Clinic API", "Billing"):
            created = await client.post(
                "/api/v1/assessments", params={"name": name}, json=healthtech, headers=auth
            )
            ids.append(created.json()["id"])
        page = (await client.get("/api/v1/assessments", params={"limit": 2}, headers=auth)).json()
        clinic = (await client.get("/api/v1/assessments", params={"q": "CLINIC"}, headers=auth)).json()
        await client.post(f"/api/v1/assessments/{ids[2]}/analyze", headers=auth)
        queued = (await client.get("/api/v1/assessments", params={"status": "queued"}, headers=auth)).json()

        stale = await client.put(
            f"/api/v1/assessments/{ids[0]}", json=healthtech, headers=auth | {"If-Match": '"7"'}
        )
        renamed = await client.put(
            f"/api/v1/assessments/{ids[0]}",
            params={"name": "Portal"},
            json=healthtech,
            headers=auth | {"If-Match": '"1"'},
        )
        busy = await client.delete(f"/api/v1/assessments/{ids[2]}", headers=auth)
        deleted = await client.delete(f"/api/v1/assessments/{ids[1]}", headers=auth)
        gone = await client.get(f"/api/v1/assessments/{ids[1]}", headers=auth)
    assert page["total"] == 3
    assert [a["name"] for a in page["items"]] == ["Billing", "Clinic API"]
    assert {a["name"] for a in clinic["items"]} == {"Clinic portal", "Clinic API"}
    assert [a["id"] for a in queued["items"]] == [ids[2]]
    assert queued["items"][0]["latest_run"]["status"] == "queued"
    assert stale.status_code == 412
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Portal"
    assert renamed.json()["version"] == 2
    assert renamed.headers["etag"] == '"2"'
    assert busy.status_code == 409
    assert deleted.status_code == 204
    assert gone.status_code == 404
