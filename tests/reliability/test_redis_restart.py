"""The broker (a private Redis) crashes and comes back while a Celery worker executes runs and more wait in
its queue: runs that were executing go on, messages lost with Redis are sent again by the worker's
sweeper, and every run ends once, without duplicated results or events."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from infra_mind.store.db import Database
from infra_mind.store.models import Run

from ..jobs.celery.conftest import Stack, api_client, signed_in, wait_until
from .api_runs import assert_ended_visibly, run_events, start_run, wait_all_ended
from .conftest import size
from .private_redis import PrivateRedis
from .stored_runs import assert_stored_once

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

RUNS = size("REDIS_RUNS", 4)
VISIBILITY_TIMEOUT_S = 15
STOP_WITHIN_S = 30


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.crash()


@pytest.fixture(scope="module")
def broker_url(private_redis: PrivateRedis) -> str:
    return private_redis.url


@pytest.fixture(scope="module")
def stack_env(stack_env: dict[str, str]) -> dict[str, str]:
    """A lost message is sent again after the visibility timeout: short here, above the run time limit."""
    return {
        **stack_env,
        "INFRA_MIND_RUN_HEARTBEAT_S": "1",
        "INFRA_MIND_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
        "INFRA_MIND_RUN_SOFT_TIME_LIMIT_S": str(VISIBILITY_TIMEOUT_S - 2),
        "INFRA_MIND_RUN_TIME_LIMIT_S": str(VISIBILITY_TIMEOUT_S - 1),
    }


async def test_runs_survive_a_broker_crash_and_each_ends_once_without_duplicates(
    stack: Stack,
    api_app: FastAPI,
    healthtech: dict[str, Any],
    pg_url: str,
    private_redis: PrivateRedis,
    tmp_path: Path,
) -> None:
    worker = stack.start_worker("mike", concurrency=max(1, RUNS // 2))
    database = Database(pg_url)
    try:
        async with api_client(api_app) as client:
            auth = await signed_in(client, "broker@example.com")
            await wait_until(lambda: _ready(client), what="the worker answering /ready")
            run_ids = [await start_run(client, auth, healthtech) for _ in range(RUNS)]
            await wait_until(lambda: _any_running(database, run_ids), what="a run to start")
            private_redis.restart()
            views = await wait_all_ended(client, auth, run_ids, timeout_s=90 + 10 * RUNS)
            assert worker.process.poll() is None, worker.log()
            for run_id in run_ids:
                assert_ended_visibly(views[run_id], await run_events(client, auth, run_id))
                await assert_stored_once(database, run_id)
            await wait_until(lambda: _ready(client), timeout_s=10, what="/ready after the broker restart")
    finally:
        await database.dispose()


async def _ready(client: httpx2.AsyncClient) -> bool:
    return (await client.get("/ready")).status_code == 200


async def _any_running(database: Database, run_ids: list[str]) -> bool:
    async with database.session() as session:
        statuses = (await session.scalars(select(Run.status).where(Run.id.in_(run_ids)))).all()
    return "running" in statuses


async def test_the_api_answers_and_stops_promptly_after_the_broker_restarts(
    api_app: FastAPI, private_redis: PrivateRedis
) -> None:
    stopped = asyncio.Event()

    async def serve_through_a_restart() -> tuple[dict[str, Any], dict[str, Any]]:
        async with api_client(api_app) as client:
            before = (await client.get("/ready")).json()
            private_redis.restart()
            after = (await client.get("/ready")).json()
        stopped.set()
        return before, after

    async with asyncio.timeout(STOP_WITHIN_S):
        before, after = await serve_through_a_restart()
    assert stopped.is_set()
    assert before["checks"]["broker"] == "ok", before
    assert after["checks"]["broker"] == "ok", after
