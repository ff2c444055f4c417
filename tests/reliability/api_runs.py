"""Runs driven through the API, as a client sees them: started, followed to their end, then checked."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx2

from ..jobs.celery.test_scale_out import sse_events

TERMINAL = {"completed", "partial", "failed", "cancelled"}
TERMINAL_EVENTS = {"run.completed", "run.failed", "run.cancelled"}
AGENT_TERMINAL = {"completed", "failed", "timed_out", "cancelled"}


async def start_run(client: httpx2.AsyncClient, auth: dict[str, str], spec: dict[str, Any]) -> str:
    assessment = await client.post("/api/v1/assessments", json=spec, headers=auth)
    assert assessment.status_code == 201, assessment.text
    accepted = await client.post(f"/api/v1/assessments/{assessment.json()['id']}/analyze", headers=auth)
    assert accepted.status_code == 202, accepted.text
    run_id: str = accepted.json()["id"]
    return run_id


async def run_view(client: httpx2.AsyncClient, auth: dict[str, str], run_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/runs/{run_id}", headers=auth)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


async def wait_all_ended(
    client: httpx2.AsyncClient, auth: dict[str, str], run_ids: list[str], *, timeout_s: float
) -> dict[str, dict[str, Any]]:
    """Every run's final view; fails naming the runs still queued or running at the deadline."""
    deadline = time.monotonic() + timeout_s
    views: dict[str, dict[str, Any]] = {}
    while True:
        for run_id in run_ids:
            if run_id not in views:
                view = await run_view(client, auth, run_id)
                if view["status"] in TERMINAL:
                    views[run_id] = view
        if len(views) == len(run_ids):
            return views
        if time.monotonic() > deadline:
            stuck = {r: (await run_view(client, auth, r))["status"] for r in run_ids if r not in views}
            raise AssertionError(f"runs stuck after {timeout_s} s: {stuck}")
        await asyncio.sleep(0.2)


async def run_events(client: httpx2.AsyncClient, auth: dict[str, str], run_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/runs/{run_id}/events", headers=auth)
    assert response.status_code == 200, response.text
    return sse_events(response.text)


def assert_ended_visibly(view: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """One terminal event, numbered events without gaps or repeats, and a reason for every failure."""
    assert view["status"] in TERMINAL, view
    assert [e["id"] for e in events] == list(range(1, len(events) + 1)), "events duplicated or missing"
    ends = [e["event"] for e in events if e["event"] in TERMINAL_EVENTS]
    assert len(ends) == 1, f"run {view['id']} has {len(ends)} final events: {ends}"
    assert events[-1]["event"] in TERMINAL_EVENTS
    if view["status"] == "failed":
        assert view["error"], view
    for agent in view["agents"]:
        assert agent["state"] in AGENT_TERMINAL, (view["id"], agent)
        if agent["state"] != "completed":
            assert agent["error"], (view["id"], agent)
