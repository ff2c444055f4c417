"""Real Celery workers on PostgreSQL and Redis: of two workers executing a batch of runs, the busier one is
SIGKILLed mid-run; the other takes its runs over once their leases go stale. Every run ends once, its
results not duplicated.

tests/jobs/celery/test_scale_out.py follows one run through such a kill; this repeats it for a batch of
runs killed together (RELIABILITY_KILL_RUNS) and checks each for duplicates in the database and events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from infra_mind.store.db import Database
from infra_mind.store.models import Run

from ..jobs.celery.conftest import Stack, api_client, redis_database, signed_in, wait_until
from .api_runs import assert_ended_visibly, run_events, start_run, wait_all_ended
from .conftest import size
from .stored_runs import assert_stored_once

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

RUNS = size("KILL_RUNS", 3)


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    with redis_database(10) as url:
        yield url


@pytest.fixture(scope="module")
def stack_env(stack_env: dict[str, str]) -> dict[str, str]:
    """A lease goes stale after three missed heartbeats: 3 s, so a loaded machine does not lose a live one."""
    return {**stack_env, "INFRA_MIND_RUN_HEARTBEAT_S": "1"}


async def test_runs_of_a_killed_worker_are_taken_over_and_each_ends_once_without_duplicates(
    stack: Stack, api_app: FastAPI, healthtech: dict[str, Any], pg_url: str
) -> None:
    workers = {w.name: w for w in (stack.start_worker("kilo"), stack.start_worker("lima"))}
    database = Database(pg_url)
    try:
        async with api_client(api_app) as client:
            auth = await signed_in(client, "oncall@example.com")
            await wait_until(lambda: _ready(client), what="workers answering /ready")
            run_ids = [await start_run(client, auth, healthtech) for _ in range(RUNS)]
            holders = await wait_until(lambda: _holders(database, run_ids), what="every run to start")
            doomed = max(set(holders.values()), key=list(holders.values()).count)
            workers[doomed].kill()
            views = await wait_all_ended(client, auth, run_ids, timeout_s=60 + 10 * RUNS)
            for run_id in run_ids:
                events = await run_events(client, auth, run_id)
                assert_ended_visibly(views[run_id], events)
                stored = await assert_stored_once(database, run_id)
                taken_over = any("taken over" in e["data"]["data"].get("reason", "") for e in events)
                if holders[run_id] == doomed:
                    assert taken_over, run_id
                    assert stored.attempts >= 2
                    assert stored.worker != doomed
    finally:
        await database.dispose()


async def _ready(client: httpx2.AsyncClient) -> bool:
    return (await client.get("/ready")).status_code == 200


async def _holders(database: Database, run_ids: list[str]) -> dict[str, str] | None:
    """Which worker executes each run, once every one is running."""
    async with database.session() as session:
        rows = (
            await session.execute(select(Run.id, Run.status, Run.worker).where(Run.id.in_(run_ids)))
        ).all()
    if len(rows) < len(run_ids) or any(row.status != "running" or row.worker is None for row in rows):
        return None
    return {row.id: row.worker for row in rows}
