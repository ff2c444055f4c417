"""Real `infra-mind worker` processes: the healthcheck, the Prometheus endpoint, refusing to start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from infra_mind.config import Settings
from infra_mind.jobs.celery_app import QUEUE, TASK_NAME, build_celery
from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.store.repositories import AssessmentRepository, RunRepository

from ...store.conftest import add_user
from .conftest import Stack, Worker, free_port, redis_database, wait_until

pytestmark = pytest.mark.slow

EXIT_UNHEALTHY = 1
EXIT_INVALID = 2


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    with redis_database(11) as url:
        yield url


def start_worker(stack: Stack, name: str, **env: str) -> Worker:
    """Like Stack.start_worker, with settings of its own (the stack stops it)."""
    log_path = stack.workdir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "infra_mind.cli", "worker", "--name", f"{name}@test", "--concurrency", "2"],
        env={**os.environ, **stack.env, **env},
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    worker = Worker(f"{name}@test", process, log_path)
    stack.workers.append(worker)
    return worker


def healthcheck(stack: Stack, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra_mind.cli", "worker-healthcheck", "--name", name, "--timeout", "1"],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wait_healthy(stack: Stack, worker: Worker) -> None:
    deadline = time.monotonic() + 60
    while (result := healthcheck(stack, worker.name)).returncode != 0:
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{worker.name} never became healthy: {result.stderr}\n{worker.log()}")
        time.sleep(0.5)


def exit_of(worker: Worker) -> tuple[int, str]:
    try:
        code = worker.process.wait(timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{worker.name} did not exit: {worker.log()}") from exc
    return code, worker.log()


def test_the_healthcheck_passes_for_a_running_worker_and_fails_once_it_is_killed(stack: Stack) -> None:
    worker = start_worker(stack, "echo")
    wait_healthy(stack, worker)
    assert "healthy" in healthcheck(stack, worker.name).stderr

    worker.kill()
    after = healthcheck(stack, worker.name)
    assert after.returncode == EXIT_UNHEALTHY
    assert "did not answer a ping" in after.stderr


def test_a_worker_lowers_its_cpu_priority_by_the_runner_niceness(stack: Stack) -> None:
    no_metrics = {"INFRA_MIND_WORKER_METRICS_PORT": "0"}
    niced = start_worker(stack, "hotel", INFRA_MIND_RUNNER_NICENESS="7", **no_metrics)
    plain = start_worker(stack, "india", INFRA_MIND_RUNNER_NICENESS="0", **no_metrics)
    for worker in (niced, plain):
        wait_healthy(stack, worker)
    assert niceness(niced.process.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 7
    assert niceness(plain.process.pid) == os.getpriority(os.PRIO_PROCESS, 0)


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_the_healthcheck_fails_for_a_worker_that_never_ran(stack: Stack) -> None:
    result = healthcheck(stack, "never-started@test")
    assert result.returncode == EXIT_UNHEALTHY
    assert "the run loop has not checked in" in result.stderr


async def test_the_workers_metrics_count_task_outcomes_and_finished_runs(
    stack: Stack, pg_url: str, healthtech: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in stack.env.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    worker = start_worker(stack, "foxtrot", INFRA_MIND_WORKER_METRICS_PORT=str(port))
    await upgrade_to_head(pg_url)
    run_id = await queued_run(pg_url, healthtech)
    with build_celery(Settings()) as app:
        app.send_task(TASK_NAME, args=[run_id], task_id=run_id, queue=QUEUE)

    async def executed() -> str | None:
        if worker.process.poll() is not None:
            raise AssertionError(f"the worker exited: {worker.log()}")
        try:
            text = httpx2.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        except httpx2.TransportError:
            return None
        return text if 'infra_mind_task_outcomes_total{outcome="executed"} 1.0' in text else None

    metrics = await wait_until(executed, timeout_s=60, what="the worker to report an executed task")
    assert 'infra_mind_runs_finished_total{mode="parallel",status="completed"} 1.0' in metrics
    assert 'infra_mind_runs_started_total{mode="parallel"} 1.0' in metrics


def test_a_worker_with_a_visibility_timeout_below_its_hard_limit_exits_2_naming_the_setting(
    stack: Stack,
) -> None:
    worker = start_worker(stack, "golf", INFRA_MIND_VISIBILITY_TIMEOUT_S="10")
    code, log = exit_of(worker)
    assert code == EXIT_INVALID, log
    assert "invalid configuration" in log
    assert "INFRA_MIND_VISIBILITY_TIMEOUT_S" in log


def test_a_worker_whose_database_is_unreachable_exits_1(stack: Stack) -> None:
    worker = start_worker(
        stack, "hotel", INFRA_MIND_DATABASE_URL="postgresql+asyncpg://infra:s3cret-pw@127.0.0.1:1/gone"
    )
    code, log = exit_of(worker)
    assert code == EXIT_UNHEALTHY, log
    assert "database unavailable" in log
    assert "s3cret-pw" not in log


def test_a_worker_whose_metrics_port_is_taken_exits_2_naming_the_setting(stack: Stack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        worker = start_worker(stack, "india", INFRA_MIND_WORKER_METRICS_PORT=str(port))
        code, log = exit_of(worker)
    assert code == EXIT_INVALID, log
    assert f"INFRA_MIND_WORKER_METRICS_PORT={port}" in " ".join(log.split())


async def queued_run(database_url: str, spec: dict[str, Any]) -> str:
    database = Database(database_url)
    try:
        owner = await add_user(database, "metrics@example.org")
        async with database.session() as session:
            assessment = await AssessmentRepository(session).create(owner.id, name="Clinic", input=spec)
            run, _ = await RunRepository(session).create(assessment.owner_id, assessment.id, mode="parallel")
            return run.id
    finally:
        await database.dispose()
