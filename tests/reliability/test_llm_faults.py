"""Runs through the app's embedded runner in LLM mode while the model server fails a share of its calls.

Every LLM fault (HTTP 500/429, a hang, a cut-off JSON reply) must end as data: the agent degrades to its
offline narrative with the reason, and each run reaches exactly one end. The degraded counts are recorded
(`record_property`) for the published figures; run with RELIABILITY_RUNS=50 for those.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bench.mockllm import FaultPolicy, MockLlm, Profile
from fastapi import FastAPI
from sqlalchemy import select

from infra_mind.store.db import Database
from infra_mind.store.models import AgentResultRow

from ..api.conftest import bearer, client_for, running, signed_in
from .api_runs import assert_ended_visibly, run_events, start_run, wait_all_ended
from .conftest import backends, size

pytestmark = pytest.mark.reliability

RUNS = size("RUNS", 3)
AGENTS = 11


@pytest.mark.parametrize("database_url", backends("sqlite"), indirect=True)
@pytest.mark.parametrize("rate", [0.1, 0.3, 0.6])
async def test_every_run_ends_once_with_its_degraded_agents_named_under_llm_faults(
    rate: float,
    app_for: Callable[..., FastAPI],
    db: Database,
    healthtech: dict[str, Any],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    faults = FaultPolicy(rate=rate, hang_s=0.5, retry_after_s=0)
    with MockLlm(Profile(faults=faults, seed=round(rate * 100))) as mock:
        app = app_for(
            llm_provider="openai",
            llm_base_url=mock.base_url,
            llm_model="mock-llm",
            llm_agent_header="X-Mock-Agent",
            llm_timeout_s=2,
            llm_retries=1,
            llm_backoff_s=0.01,
            llm_cache_enabled=False,
            llm_cache_dir=tmp_path / "llm-cache",
            max_concurrent_runs=3,
        )
        async with running(app), client_for(app) as client:
            auth = bearer((await signed_in(client, "sre@example.org"))["access_token"])
            run_ids = [await start_run(client, auth, healthtech) for _ in range(RUNS)]
            views = await wait_all_ended(client, auth, run_ids, timeout_s=60 + 10 * RUNS)
            for run_id in run_ids:
                assert_ended_visibly(views[run_id], await run_events(client, auth, run_id))
        injected = sum(mock.stats().faults.values())

    async with db.session() as session:
        rows = (await session.scalars(select(AgentResultRow))).all()
    by_run: dict[str, list[Any]] = {}
    for row in rows:
        by_run.setdefault(row.run_id, []).append(row)
    assert sorted(by_run) == sorted(run_ids)
    for run_id, results in by_run.items():
        assert sorted(r.agent for r in results) == sorted({r.agent for r in results}), run_id
        assert len(results) == AGENTS, run_id
    degraded = [r for r in rows if ((r.data.get("narrative") or {}).get("degraded"))]
    statuses = {view["status"] for view in views.values()}
    record_property("runs", RUNS)
    record_property("statuses", sorted(statuses))
    record_property("faults_injected", injected)
    record_property("agents_degraded", len(degraded))
    assert injected > 0
    if rate >= 0.3:
        assert degraded, "faults at this rate must reach some agent's LLM step"
