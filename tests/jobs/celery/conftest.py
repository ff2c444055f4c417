"""The scale-out path on the machine's real servers: PostgreSQL, Redis, and Celery worker processes.

Each test module gets its own PostgreSQL database and Redis database index; workers are real
`infra-mind worker` processes started here, LLM calls go to the mock server (bench/mockllm) so a run
lasts long enough to be followed, cancelled or have its worker killed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import redis
from bench.mockllm import MockLlm, Profile
from fastapi import FastAPI

from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.knowledge.catalog import Knowledge

from ...conftest import skip_or_fail_in_ci
from ...store.conftest import create_postgres_database, drop_postgres_database

REDIS_URL = os.environ.get("INFRA_MIND_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = 13
JWT_SECRET = "celery-test-signing-secret-" + "y" * 32
PASSWORD = "Correct-horse-42"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_database(index: int) -> Iterator[str]:
    """A Redis database of its own, empty before and after: modules that may run at the same time each
    take another index (test_scale_out 13, test_worker_runtime 12, test_worker_process 11)."""
    url = f"{REDIS_URL}/{index}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.flushdb()
    except (redis.RedisError, OSError) as exc:
        skip_or_fail_in_ci(f"Redis at {REDIS_URL} is unusable: {exc!r}")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    with redis_database(REDIS_DB) as url:
        yield url


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def slow_llm() -> Iterator[MockLlm]:
    """Every LLM call takes 0.6 s: a run of eleven agents lasts a couple of seconds."""
    with MockLlm(Profile(latency=0.6)) as mock:
        yield mock


@pytest.fixture(scope="module")
def stack_env(
    pg_url: str, broker_url: str, slow_llm: MockLlm, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The environment every process of the stack shares, as an operator would set it."""
    return {
        "INFRA_MIND_DATABASE_URL": pg_url,
        "INFRA_MIND_RUNNER": "celery",
        "INFRA_MIND_BROKER_URL": broker_url,
        "INFRA_MIND_JWT_SECRET": JWT_SECRET,
        "INFRA_MIND_DATA_DIR": str(tmp_path_factory.mktemp("stack")),
        "INFRA_MIND_LLM_PROVIDER": "openai",
        "INFRA_MIND_LLM_BASE_URL": slow_llm.base_url,
        "INFRA_MIND_LLM_MODEL": "mock-llm",
        "INFRA_MIND_LLM_API_KEY": "test",
        "INFRA_MIND_LLM_CACHE_ENABLED": "false",
        "INFRA_MIND_REPORT_FORMATS": '["md", "json", "csv"]',
        "INFRA_MIND_RUNNER_POLL_INTERVAL_S": "0.2",
        "INFRA_MIND_RUN_HEARTBEAT_S": "0.5",
        "INFRA_MIND_VISIBILITY_TIMEOUT_S": "30",
        "INFRA_MIND_RUN_SOFT_TIME_LIMIT_S": "20",
        "INFRA_MIND_RUN_TIME_LIMIT_S": "25",
        "INFRA_MIND_LOG_LEVEL": "INFO",
        "INFRA_MIND_LOGIN_RATE_LIMIT_PER_IP": "1000/minute",
        "INFRA_MIND_REGISTRATION_RATE_LIMIT_PER_IP": "1000/minute",
    }


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Stack:
    env: dict[str, str]
    workdir: Path
    workers: list[Worker] = field(default_factory=list)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self, name: str, concurrency: int = 4) -> Worker:
        log_path = self.workdir / f"{name}.log"
        env = {**os.environ, **self.env, "INFRA_MIND_WORKER_METRICS_PORT": str(free_port())}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra_mind.cli",
                "worker",
                "--name",
                f"{name}@test",
                "--concurrency",
                str(concurrency),
            ],
            env=env,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(f"{name}@test", process, log_path)
        self.workers.append(worker)
        return worker

    def start_api_server(self) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "infra_mind.cli", "serve", "--port", str(port)],
            env={**os.environ, **self.env},
            stdout=(self.workdir / f"api-{port}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.servers.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"serve exited: {(self.workdir / f'api-{port}.log').read_text()}")
            try:
                if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                    return base
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("the API server did not start within 60 s")

    def stop(self) -> None:
        for process in [w.process for w in self.workers] + self.servers:
            if process.poll() is None:
                process.terminate()
        for process in [w.process for w in self.workers] + self.servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    running = Stack(stack_env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def api_app(stack_env: dict[str, str], knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    """An API in this process (another process than every worker), on the same stack."""
    for name, value in stack_env.items():
        monkeypatch.setenv(name, value)
    return create_app(Settings(), knowledge=knowledge)


@asynccontextmanager
async def api_client(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=app, client=("203.0.113.9", 40000))
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=60
        ) as client:
            yield client


async def signed_in(client: httpx2.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    token = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def wait_until(check: Callable[[], Any], *, timeout_s: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
