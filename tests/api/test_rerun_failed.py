"""Re-running only the failed agents of a run, through the API, with the real agents and one that fails.

The app gets its own in-process runner: the real offline agents, except that `research` raises while
`failing` is set, the way a broken catalog or a bug would make it fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.agents.base import Agent, AgentReport, Progress, RetryPolicy
from infra_mind.agents.registry import build_agents
from infra_mind.api.app import create_app
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.config import Settings
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs import EventHub, InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from .conftest import MovableClock, bearer, client_for, running, signed_in
from .test_runs_flow import sse_events

pytestmark = pytest.mark.slow

FLAKY_AGENT = "research"
POLL_S = 0.05


class BreakableAgent(Agent):
    """A real agent that raises, without retries, while `failing` is set."""

    def __init__(self, inner: Agent) -> None:
        self.inner = inner
        self.name = inner.name
        self.timeout_s = inner.timeout_s
        self.retry = RetryPolicy(max_attempts=1)
        self.failing = True
        self.calls = 0

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        self.calls += 1
        if self.failing:
            raise RuntimeError("the benchmark catalog is unreadable")
        return await self.inner.run(ctx, progress)


@pytest.fixture
def breakable(knowledge: Knowledge) -> tuple[list[Agent], BreakableAgent]:
    agents = build_agents(knowledge)
    index = next(i for i, a in enumerate(agents) if a.name == FLAKY_AGENT)
    broken = BreakableAgent(agents[index])
    agents[index] = broken
    return agents, broken


@pytest.fixture
async def app_with_breakable_agent(
    db: Database,
    clock: MovableClock,
    cheap_passwords: PasswordHasher,
    settings_for: Callable[..., Settings],
    knowledge: Knowledge,
    breakable: tuple[list[Agent], BreakableAgent],
) -> AsyncIterator[FastAPI]:
    hub = EventHub(db, poll_interval_s=POLL_S)
    pipeline = Pipeline(
        knowledge,
        Orchestrator(breakable[0]),
        hub,
        quorum=QuorumPolicy(min_ratio=0.5),
        report_formats=("md", "json", "csv"),
    )
    runner = InProcessRunner(db, hub, pipeline, Metrics(), poll_interval_s=POLL_S)
    yield create_app(
        settings_for(),
        database=db,
        clock=clock,
        passwords=cheap_passwords,
        knowledge=knowledge,
        runner=runner,
        migrate=False,
    )
    await pipeline.aclose()


async def followed_to_the_end(client: httpx2.AsyncClient, run: dict[str, Any], auth: dict[str, str]) -> str:
    events = sse_events((await client.get(run["links"]["events"], headers=auth)).text)
    final: str = events[-1]["event"]
    return final


async def test_rerun_failed_runs_only_the_failed_agent_again(
    app_with_breakable_agent: FastAPI,
    breakable: tuple[list[Agent], BreakableAgent],
    healthtech: dict[str, Any],
) -> None:
    app, broken = app_with_breakable_agent, breakable[1]
    async with client_for(app) as client:
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        assessment = (await client.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        source = (await client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
        while_queued = await client.post(source["links"]["rerun_failed"], headers=auth)

        async with running(app):
            assert await followed_to_the_end(client, source, auth) == "run.completed"
            source_view = (await client.get(source["links"]["self"], headers=auth)).json()
            broken.failing = False
            accepted = await client.post(source["links"]["rerun_failed"], headers=auth)
            rerun = accepted.json()
            assert await followed_to_the_end(client, rerun, auth) == "run.completed"
            rerun_view = (await client.get(rerun["links"]["self"], headers=auth)).json()
            recommendations = (await client.get(rerun["links"]["recommendations"], headers=auth)).json()
            reports = (await client.get(rerun["links"]["reports"], headers=auth)).json()
            executive = await client.get(f"{rerun['links']['reports']}/executive/md", headers=auth)
            nothing_left = await client.post(rerun["links"]["rerun_failed"], headers=auth)

            edited = await client.put(
                f"/api/v1/assessments/{assessment['id']}", json=healthtech, headers=auth
            )
            after_edit = await client.post(source["links"]["rerun_failed"], headers=auth)

    assert while_queued.status_code == 409
    assert "once it has ended" in while_queued.json()["detail"]

    assert source_view["status"] == "partial"
    source_states = {a["name"]: a["state"] for a in source_view["agents"]}
    assert source_states.pop(FLAKY_AGENT) == "failed"
    assert set(source_states.values()) == {"completed"}

    assert accepted.status_code == 202, accepted.text
    assert rerun["rerun_of"] == source["id"]
    assert rerun["id"] != source["id"]
    assert accepted.headers["location"] == f"/api/v1/runs/{rerun['id']}"
    assert broken.calls == 2
    assert rerun_view["status"] == "completed"
    agents = {a["name"]: a for a in rerun_view["agents"]}
    assert len(agents) == 11
    assert agents[FLAKY_AGENT]["state"] == "completed"
    assert agents[FLAKY_AGENT]["reused"] is False
    assert all(a["reused"] and a["state"] == "completed" for name, a in agents.items() if name != FLAKY_AGENT)
    assert recommendations["total"] > 0
    assert {(r["kind"], r["format"]) for r in reports} >= {("executive", "md"), ("technical", "json")}
    assert executive.status_code == 200

    assert nothing_left.status_code == 409
    assert "nothing to re-run" in nothing_left.json()["detail"]
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    assert after_edit.status_code == 409
    assert "changed" in after_edit.json()["detail"]
