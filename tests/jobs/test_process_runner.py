"""The embedded runner in a process of its own, through the app on SQLite and PostgreSQL: runs execute
there, their events and metrics reach the API process, a killed process is replaced, a stop ends it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.process_runner import ProcessRunner, RunnerProcessFailed
from infra_mind.jobs.threaded_runner import ThreadedRunner
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from ..api.conftest import (
    JWT_SECRET,
    app_for,
    bearer,
    cheap_passwords,
    client_for,
    clock,
    running,
    settings_for,
    signed_in,
)
from ..api.test_runs_flow import sse_events

__all__ = ["app_for", "cheap_passwords", "clock", "settings_for"]

pytestmark = pytest.mark.slow

RESTART_TIMEOUT_S = 60.0


def _runner(app: FastAPI) -> ProcessRunner:
    runner = app.state.services.runner
    assert isinstance(runner, ProcessRunner)
    return runner


async def _analyzed_to_the_end(
    client: httpx2.AsyncClient, auth: dict[str, str], spec: dict[str, Any]
) -> list[dict[str, Any]]:
    created = await client.post("/api/v1/assessments", json=spec, headers=auth)
    assert created.status_code == 201, created.text
    accepted = await client.post(f"/api/v1/assessments/{created.json()['id']}/analyze", headers=auth)
    assert accepted.status_code == 202, accepted.text
    stream = await client.get(accepted.json()["links"]["events"], headers=auth)
    return sse_events(stream.text)


async def test_a_run_executes_in_the_runner_process_and_reaches_the_api(
    app_for: Callable[..., FastAPI], healthtech: dict[str, Any]
) -> None:
    app = app_for(embedded_runner="process")
    async with running(app), client_for(app) as client:
        runner = _runner(app)
        assert runner.pid is not None
        assert runner.pid != os.getpid()
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        events = await _analyzed_to_the_end(client, auth, healthtech)
        assert events[0]["event"] == "run.started"
        assert events[-1]["event"] == "run.completed"
        assert [int(e["id"]) for e in events] == list(range(1, len(events) + 1))

        ready = await client.get("/ready")
        assert ready.json()["checks"]["runner"] == "ok"
        metrics = (await client.get("/metrics")).text
        assert 'infra_mind_runs_started_total{mode="parallel"} 1.0' in metrics
        assert 'infra_mind_runs_finished_total{mode="parallel",status="completed"} 1.0' in metrics
        assert 'infra_mind_agent_outcomes_total{agent="cloud_engineer",status="completed"} 1.0' in metrics


async def test_a_killed_runner_process_is_replaced_and_runs_go_on(
    app_for: Callable[..., FastAPI], healthtech: dict[str, Any]
) -> None:
    app = app_for(embedded_runner="process")
    async with running(app), client_for(app) as client:
        runner = _runner(app)
        first = runner.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + RESTART_TIMEOUT_S
        while not (runner.running and runner.pid != first):
            assert time.monotonic() < deadline, "the runner process was not started again"
            await _pause()
        second = runner.pid
        auth = bearer((await signed_in(client, "ada@example.com"))["access_token"])
        events = await _analyzed_to_the_end(client, auth, healthtech)
        assert events[-1]["event"] == "run.completed"
    assert not _alive(second)
    assert runner.pid is None


async def test_stopping_the_app_ends_the_runner_process(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(embedded_runner="process")
    async with running(app):
        pid = _runner(app).pid
        assert pid is not None
        assert _alive(pid)
        assert _runner(app).running
    assert not _alive(pid)
    assert not _runner(app).running
    assert _runner(app).pid is None


async def test_a_runner_process_that_cannot_start_fails_the_start_with_the_reason(tmp_path: Path) -> None:
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    settings = Settings(database_url=unreachable, jwt_secret=JWT_SECRET, data_dir=tmp_path)
    database = Database(unreachable)
    runner = ProcessRunner(settings, database, Metrics(), EventHub(database))
    try:
        with pytest.raises(RunnerProcessFailed, match="did not start: "):
            await runner.start()
        assert not runner.running
        assert runner.pid is None
    finally:
        await runner.stop()
        await database.dispose()


def test_an_in_memory_database_keeps_the_runner_in_the_api_process(
    settings_for: Callable[..., Settings],
) -> None:
    app = create_app(
        settings_for(database_url="sqlite+aiosqlite://", embedded_runner="process"), migrate=False
    )
    assert isinstance(app.state.services.runner, ThreadedRunner)


def _alive(pid: int | None) -> bool:
    return pid is not None and Path(f"/proc/{pid}").exists()


async def _pause() -> None:
    await asyncio.sleep(0.1)
