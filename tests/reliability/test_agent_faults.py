"""An agent that raises and one that never returns, among the real agents, through the app's embedded
runner: each run completes with those two as data (failed, timed out), the other agents' results kept and
the synthesis produced from them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.registry import build_agents
from infra_mind.api.app import create_app
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.config import Settings
from infra_mind.domain.context import AssessmentContext
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs import EventHub
from infra_mind.jobs.threaded_runner import ThreadedRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from ..api.conftest import bearer, client_for, running, signed_in
from .api_runs import assert_ended_visibly, run_events, start_run, wait_all_ended
from .conftest import backends, size

pytestmark = pytest.mark.reliability

RUNS = size("AGENT_FAULT_RUNS", 2)
CRASHING = "simulation"
HANGING = "chatbot"
HANG_TIMEOUT_S = 1.0


class CrashingAgent(Agent):
    name = CRASHING

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        await progress(10, "started")
        raise RuntimeError("simulated defect in the agent")


class HangingAgent(Agent):
    name = HANGING
    timeout_s = HANG_TIMEOUT_S

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        await progress(10, "started")
        await asyncio.Event().wait()
        raise AssertionError("never reached")


def app_with_faulty_agents(
    settings: Settings, db: Database, knowledge: Knowledge, passwords: PasswordHasher
) -> FastAPI:
    agents = [a for a in build_agents(knowledge) if a.name not in (CRASHING, HANGING)]
    agents += [CrashingAgent(), HangingAgent()]
    metrics = Metrics()

    def pipeline(hub: EventHub) -> Pipeline:
        return Pipeline(
            knowledge, Orchestrator(agents), hub, quorum=QuorumPolicy(0.5), report_formats=("md", "json")
        )

    runner = ThreadedRunner(
        settings,
        db,
        knowledge,
        metrics,
        EventHub(db, poll_interval_s=settings.runner_poll_interval_s),
        report_formats=("md", "json"),
        max_concurrent_runs=2,
        poll_interval_s=settings.runner_poll_interval_s,
        pipeline=pipeline,
    )
    return create_app(
        settings,
        database=db,
        metrics=metrics,
        passwords=passwords,
        knowledge=knowledge,
        runner=runner,
        migrate=False,
    )


@pytest.mark.parametrize("database_url", backends("sqlite"), indirect=True)
async def test_a_crashing_and_a_hanging_agent_end_as_data_and_the_run_still_synthesises(
    settings_for: Callable[..., Settings],
    db: Database,
    knowledge: Knowledge,
    cheap_passwords: PasswordHasher,
    healthtech: dict[str, Any],
) -> None:
    app = app_with_faulty_agents(settings_for(), db, knowledge, cheap_passwords)
    async with running(app), client_for(app) as client:
        auth = bearer((await signed_in(client, "lead@example.org"))["access_token"])
        run_ids = [await start_run(client, auth, healthtech) for _ in range(RUNS)]
        views = await wait_all_ended(client, auth, run_ids, timeout_s=60 + 15 * RUNS)
        for run_id in run_ids:
            view = views[run_id]
            assert_ended_visibly(view, await run_events(client, auth, run_id))
            assert view["status"] == "partial", view
            states = {a["name"]: a for a in view["agents"]}
            assert states[CRASHING]["state"] == "failed"
            assert "simulated defect" in states[CRASHING]["error"]
            assert states[HANGING]["state"] == "timed_out"
            others = {name: a["state"] for name, a in states.items() if name not in (CRASHING, HANGING)}
            assert set(others.values()) == {"completed"}, others
            recommendations = await client.get(f"/api/v1/runs/{run_id}/recommendations", headers=auth)
            assert recommendations.json()["total"] > 0
            listed = await client.get(f"/api/v1/runs/{run_id}/reports", headers=auth)
            assert {r["format"] for r in listed.json()} == {"md", "json"}
