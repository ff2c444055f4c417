"""Runs through the API, executed by real Celery worker processes over Redis and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from infra_mind.store.db import Database
from infra_mind.store.models import AgentResultRow, RecommendationRow, Report, Run

from .conftest import Stack, api_client, signed_in, wait_until

pytestmark = pytest.mark.slow


def sse_events(body: str) -> list[dict[str, Any]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.split("\n")
            if line.startswith(("id: ", "event: ", "data: "))
        )
        if "data" in fields:
            events.append(
                {"id": int(fields["id"]), "event": fields["event"], "data": json.loads(fields["data"])}
            )
    return events


async def start_run(client: httpx2.AsyncClient, auth: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    assessment = (await client.post("/api/v1/assessments", json=spec, headers=auth)).json()
    accepted = await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)
    assert accepted.status_code == 202, accepted.text
    run: dict[str, Any] = accepted.json()
    return run


async def run_status(client: httpx2.AsyncClient, auth: dict[str, str], run: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = (await client.get(run["links"]["self"], headers=auth)).json()
    return view


async def test_runs_complete_and_events_reach_a_client_of_another_api_process(
    stack: Stack, api_app: FastAPI, healthtech: dict[str, Any]
) -> None:
    stack.start_worker("alpha")
    other_api = stack.start_api_server()
    async with api_client(api_app) as client:
        auth = await signed_in(client, "ops@example.com")
        await wait_until(lambda: _ready(client), what="a worker answering /ready")
        runs = [await start_run(client, auth, healthtech) for _ in range(3)]
        async with httpx2.AsyncClient(base_url=other_api, timeout=60) as remote:
            stream = await remote.get(runs[0]["links"]["events"], headers=auth)
        events = sse_events(stream.text)
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["event"] == "run.completed"
        for run in runs:
            await wait_until(
                lambda run=run: _finished(client, auth, run), timeout_s=90, what=f"run {run['id']} to finish"
            )
            view = await run_status(client, auth, run)
            assert view["status"] == "completed", view
            assert all(agent["state"] == "completed" for agent in view["agents"])
        recommendations = (await client.get(runs[0]["links"]["recommendations"], headers=auth)).json()
        assert recommendations["total"] > 0
        ready = (await client.get("/ready")).json()
        assert ready["checks"] == {"database": "ok", "broker": "ok", "workers": "ok"}
        metrics = (await client.get("/metrics")).text
        assert "infra_mind_workers 1.0" in metrics


async def test_a_worker_killed_mid_run_leads_to_exactly_one_completed_run(
    stack: Stack, api_app: FastAPI, healthtech: dict[str, Any], pg_url: str
) -> None:
    workers = {w.name: w for w in (stack.start_worker("bravo"), stack.start_worker("charlie"))}
    async with api_client(api_app) as client:
        auth = await signed_in(client, "sre@example.com")
        await wait_until(lambda: _ready(client), what="workers answering /ready")
        run = await start_run(client, auth, healthtech)
        database = Database(pg_url)
        try:
            holder = await wait_until(lambda: _running_on(database, run["id"]), what="the run to start")
            workers[holder].kill()
            await wait_until(
                lambda: _finished(client, auth, run), timeout_s=90, what="the run to finish after the kill"
            )
            view = await run_status(client, auth, run)
            async with database.session() as session:
                stored = await session.get(Run, run["id"])
                assert stored is not None
                counts = [
                    await session.scalar(select(func.count()).select_from(t).where(t.run_id == run["id"]))
                    for t in (AgentResultRow, RecommendationRow, Report)
                ]
                ranks = (
                    await session.scalars(
                        select(RecommendationRow.rank).where(RecommendationRow.run_id == run["id"])
                    )
                ).all()
        finally:
            await database.dispose()
        events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    assert view["status"] == "completed", view
    assert stored.attempts == 2
    assert stored.worker != holder
    assert counts[0] == 11
    assert sorted(ranks) == list(range(1, len(ranks) + 1))
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["event"] == "run.completed" for e in events) == 1
    assert any(
        "taken over" in e["data"]["data"].get("reason", "") for e in events if e["event"] == "run.queued"
    )


async def test_cancelling_a_run_stops_it_on_the_worker(
    stack: Stack, api_app: FastAPI, healthtech: dict[str, Any], pg_url: str
) -> None:
    stack.start_worker("delta")
    async with api_client(api_app) as client:
        auth = await signed_in(client, "lead@example.com")
        await wait_until(lambda: _ready(client), what="a worker answering /ready")
        run = await start_run(client, auth, healthtech)
        database = Database(pg_url)
        try:
            await wait_until(lambda: _running_on(database, run["id"]), what="the run to start")
        finally:
            await database.dispose()
        cancelled = await client.post(run["links"]["cancel"], headers=auth)
        assert cancelled.status_code == 202
        await wait_until(lambda: _finished(client, auth, run), timeout_s=30, what="the run to stop")
        view = await run_status(client, auth, run)
        events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    assert view["status"] == "cancelled"
    assert events[-1]["event"] == "run.cancelled"


async def _ready(client: httpx2.AsyncClient) -> bool:
    return (await client.get("/ready")).status_code == 200


async def _finished(client: httpx2.AsyncClient, auth: dict[str, str], run: dict[str, Any]) -> bool:
    return (await run_status(client, auth, run))["status"] not in ("queued", "running")


async def _running_on(database: Database, run_id: str) -> str | None:
    async with database.session() as session:
        run = await session.get(Run, run_id, populate_existing=True)
        return run.worker if run is not None and run.status == "running" else None
