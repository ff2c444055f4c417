"""A run survives one crash of the process that executes it, and fails visibly after a second one.

The crash is real: a separate Python process runs an in-process runner on the test database, takes the
queued run and stops inside an agent that never returns; the test kills it with SIGKILL. Nothing of the
runner's shutdown path runs, so the database holds exactly what a killed server leaves: the run
`running`, its attempt counted, its events so far, and nobody executing it. A new app (a new runner) on
the same database then starts, and everything is checked through the API.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.jobs import INTERRUPTED_TWICE
from infra_mind.store.db import Database

from .conftest import bearer, client_for, running, signed_in
from .test_runs_flow import sse_events

pytestmark = pytest.mark.slow

STUCK = "agent-stuck"
CRASHING_RUNNER = f"""
import asyncio, sys
from infra_mind.agents.base import Agent
from infra_mind.agents.registry import build_agents
from infra_mind.engine.orchestrator import Orchestrator
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database


class Stuck(Agent):
    name = "simulation"
    timeout_s = 600.0

    async def run(self, ctx, progress):
        await progress(10, "started")
        print("{STUCK}", flush=True)
        await asyncio.Event().wait()


async def main(url):
    database = Database(url)
    knowledge = Knowledge.load()
    agents = [a for a in build_agents(knowledge) if a.name != Stuck.name] + [Stuck()]
    hub = EventHub(database, poll_interval_s=0.05)
    pipeline = Pipeline(knowledge, Orchestrator(agents), hub, report_formats=("md",))
    await InProcessRunner(database, hub, pipeline, Metrics(), poll_interval_s=0.05).start()
    await asyncio.Event().wait()


asyncio.run(main(sys.argv[1]))
"""
STARTUP_TIMEOUT_S = 30


async def kill_mid_run(database_url: str) -> None:
    """Starts a runner process, waits until the run is inside its stuck agent, and kills the process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASHING_RUNNER,
        database_url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    stdout = process.stdout
    assert stdout is not None
    output: list[str] = []

    async def until_stuck() -> None:
        while (line := (await stdout.readline()).decode()) != f"{STUCK}\n":
            assert line, "the runner process ended early:\n" + "".join(output)
            output.append(line)

    try:
        await asyncio.wait_for(until_stuck(), STARTUP_TIMEOUT_S)
    finally:
        process.kill()
        await process.wait()


async def queued_run(
    client: httpx2.AsyncClient, healthtech: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
    assessment = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
    run = (await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
    return run, auth


async def test_a_run_killed_mid_way_resumes_when_the_app_starts_again(
    db: Database, app_for: Callable[..., FastAPI], healthtech: dict[str, Any]
) -> None:
    first = app_for()
    async with client_for(first) as client:
        run, auth = await queued_run(client, healthtech)
        await kill_mid_run(db.url)
        crashed = (await client.get(run["links"]["self"], headers=auth)).json()

    restarted = app_for()
    async with running(restarted), client_for(restarted) as client:
        events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
        view = (await client.get(run["links"]["self"], headers=auth)).json()

    assert crashed["status"] == "running"
    assert {a["name"]: a["state"] for a in crashed["agents"]}["simulation"] == "running"
    ids = [int(e["id"]) for e in events]
    assert ids == list(range(1, len(ids) + 1))
    kinds = [e["event"] for e in events]
    assert kinds.count("run.started") == 2
    requeued = kinds.index("run.queued")
    assert events[requeued]["data"]["data"] == {"reason": "re-queued after a restart"}
    assert kinds[requeued + 1] == "run.started"
    assert kinds[-1] == "run.completed"
    assert view["status"] == "completed"
    assert view["error"] is None
    assert view["last_event_id"] == ids[-1]
    assert all(a["state"] == "completed" for a in view["agents"])


async def test_a_run_killed_twice_ends_failed_with_the_reason(
    db: Database, app_for: Callable[..., FastAPI], healthtech: dict[str, Any]
) -> None:
    first = app_for()
    async with client_for(first) as client:
        run, auth = await queued_run(client, healthtech)
    await kill_mid_run(db.url)
    await kill_mid_run(db.url)

    restarted = app_for()
    async with running(restarted), client_for(restarted) as client:
        events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
        view = (await client.get(run["links"]["self"], headers=auth)).json()

    ids = [int(e["id"]) for e in events]
    assert ids == list(range(1, len(ids) + 1))
    kinds = [e["event"] for e in events]
    assert kinds.count("run.started") == 2
    assert kinds[-1] == "run.failed"
    assert events[-1]["data"]["data"]["error"] == INTERRUPTED_TWICE
    assert view["status"] == "failed"
    assert view["error"] == INTERRUPTED_TWICE
    assert view["finished_at"] is not None
