"""Scale-out: run throughput with 1, 2 and 4 Celery worker processes on an LLM-latency-bound load.

The stack is the machine's: PostgreSQL (a fresh database per measurement, dropped after), Redis (a
dedicated database index, flushed), the mock LLM server in its own process (seed profile × `unit_s`), and
`infra-mind worker` processes. Runs are submitted through the API (in this process, over an ASGI
transport), which hands them to the workers over Celery, as the product does.

Every worker has the same number of run slots and enough LLM slots for all its runs' agents, so one
worker is the bottleneck and each added worker adds slots. Before each measurement every slot executes
one warm-up run, so no worker's first-run imports land in the measured wall time. Machine-wide CPU is
sampled from /proc/stat over the measured window: it shows whether the load stays latency-bound.

Why 6 s per latency unit (LLM calls of 7-18 s, a run's critical path 18 s): a run costs its worker about
1 s of CPU (pipeline, reports, the SDK's request building, events, leases). At 3 s per unit, 16 slots on a
2-core machine saturated the CPU (95 % busy) and 4 workers reached only 2× one worker; the load measured
the cores, not the scale-out.
Reports render Markdown and JSON only; PDFs are measured in the reports benchmark.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import redis
from sqlalchemy import func, select

from bench import postgres
from bench.api import _llm_requests, _mock_llm
from bench.fanout_llm import AGENT_HEADER
from bench.mockllm.server import bind
from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.jobs.celery_app import build_celery
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.store.db import Database
from infra_mind.store.models import Run
from infra_mind.store.repositories.runs import TERMINAL_STATES

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("INFRA_MIND_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_DB = 10
TARGET_SCALING = 3.0
AGENTS = 11
REPORT_FORMATS = ["md", "json"]
PASSWORD = "Bench-password-42"
SUBMIT_CONCURRENCY = 16
POLL_S = 0.2
WORKER_START_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Measurement:
    workers: int
    runs: int
    by_status: dict[str, int]
    runs_by_worker: dict[str, int]
    wall_s: float
    """first analyze posted to last run ended"""
    run_median_s: float
    """a run's own duration, started to finished, median"""
    llm_requests: int
    machine_cpu_busy: float
    """share of every core's time busy over the wall time, all processes of the machine"""
    worker_cpu_s: float
    bench_cpu_s: float
    """this process: the API and the watcher"""

    @property
    def completed(self) -> int:
        return self.by_status.get("completed", 0)

    @property
    def runs_per_min(self) -> float:
        return self.completed / self.wall_s * 60 if self.wall_s > 0 else 0.0

    def workers_cpu_share(self, cpus: int) -> float:
        """The workers' own share of every core's time: the machine's busy share less other processes."""
        return self.worker_cpu_s / (self.wall_s * cpus) if self.wall_s > 0 else 0.0


@dataclass(frozen=True)
class ScaleOutFigures:
    unit_s: float
    concurrency: int
    runs: int
    cpus: int
    measurements: list[Measurement]

    def scaling(self, workers: int) -> float:
        by_workers = {m.workers: m.runs_per_min for m in self.measurements}
        baseline = by_workers.get(1, 0.0)
        return by_workers[workers] / baseline if baseline > 0 else 0.0

    @property
    def most_workers(self) -> int:
        return max(m.workers for m in self.measurements)

    @property
    def latency_bound(self) -> bool:
        """No measurement kept the machine's cores more than 80 % busy."""
        return all(m.machine_cpu_busy < 0.8 for m in self.measurements)

    @property
    def met(self) -> bool:
        every_run_completed = all(m.completed == m.runs for m in self.measurements)
        return every_run_completed and self.scaling(self.most_workers) >= TARGET_SCALING


def unavailable(redis_db: int = REDIS_DB, postgres_url: str = postgres.ADMIN_URL) -> str | None:
    """Why the stack cannot be measured here (PostgreSQL or Redis unreachable), or None."""
    reason = asyncio.run(postgres.unusable(postgres_url))
    if reason is not None:
        return reason
    try:
        _flush(f"{REDIS_URL}/{redis_db}")
    except (redis.RedisError, OSError) as exc:
        return f"Redis at {REDIS_URL} is unusable: {exc!r}"
    return None


async def measure(
    spec: dict[str, Any],
    knowledge: Knowledge,
    *,
    worker_counts: tuple[int, ...] = (1, 2, 4),
    concurrency: int = 4,
    runs: int = 48,
    unit_s: float = 6.0,
    redis_db: int = REDIS_DB,
) -> ScaleOutFigures:
    """`runs` runs through the API for each worker count, each worker with `concurrency` run slots."""
    measurements = []
    with tempfile.TemporaryDirectory() as scratch, _mock_llm(unit_s) as llm_url:
        for workers in worker_counts:
            measurements.append(
                await measure_workers(
                    spec,
                    knowledge,
                    llm_url=llm_url,
                    scratch=Path(scratch),
                    workers=workers,
                    concurrency=concurrency,
                    runs=runs,
                    redis_db=redis_db,
                )
            )
    return ScaleOutFigures(unit_s, concurrency, runs, os.cpu_count() or 1, measurements)


async def measure_workers(
    spec: dict[str, Any],
    knowledge: Knowledge,
    *,
    llm_url: str,
    scratch: Path,
    workers: int,
    concurrency: int,
    runs: int,
    redis_db: int,
) -> Measurement:
    broker_url = f"{REDIS_URL}/{redis_db}"
    async with postgres.fresh_database() as database_url:
        _flush(broker_url)
        try:
            values = _stack_values(database_url, broker_url, llm_url, scratch, concurrency)
            settings = Settings(**values)
            app = create_app(settings, knowledge=knowledge)
            async with app.router.lifespan_context(app), _client(app) as http:
                await _sign_in(http)
                ids = await _assessments(http, spec, workers * concurrency + runs)
                async with _workers(workers, values, settings, scratch) as pids:
                    await _wait_until_ended(database_url, await _analyze(http, ids[runs:]))
                    figures = await _measured(http, database_url, llm_url, ids[:runs], pids)
        finally:
            _flush(broker_url)
    return Measurement(workers=workers, runs=runs, **figures)


async def _measured(
    http: httpx2.AsyncClient, database_url: str, llm_url: str, ids: list[str], pids: list[int]
) -> dict[str, Any]:
    requests_before = await _llm_requests(llm_url)
    cpu_before = _machine_cpu()
    workers_before = sum(_process_cpu_s(pid) for pid in pids)
    bench_before = _self_cpu_s()
    started = time.perf_counter()
    run_ids = await _analyze(http, ids)
    await _wait_until_ended(database_url, run_ids)
    wall_s = time.perf_counter() - started
    busy, total = (after - before for after, before in zip(_machine_cpu(), cpu_before, strict=True))
    database = Database(database_url)
    try:
        async with database.session() as session:
            rows = (
                await session.execute(
                    select(Run.status, Run.worker, Run.started_at, Run.finished_at).where(Run.id.in_(run_ids))
                )
            ).all()
    finally:
        await database.dispose()
    durations = [
        (r.finished_at - r.started_at).total_seconds() for r in rows if r.started_at and r.finished_at
    ]
    return {
        "by_status": _count(r.status for r in rows),
        "runs_by_worker": _count(r.worker or "none" for r in rows),
        "wall_s": wall_s,
        "run_median_s": statistics.median(durations) if durations else 0.0,
        "llm_requests": await _llm_requests(llm_url) - requests_before,
        "machine_cpu_busy": busy / total if total else 0.0,
        "worker_cpu_s": sum(_process_cpu_s(pid) for pid in pids) - workers_before,
        "bench_cpu_s": _self_cpu_s() - bench_before,
    }


def _stack_values(
    database_url: str, broker_url: str, llm_url: str, scratch: Path, concurrency: int
) -> dict[str, Any]:
    """What the API and every worker are configured with. The LLM cache is off so every call reaches the
    mock; LLM slots cover every agent of every run slot, so the run slots are what a worker adds."""
    return {
        "database_url": database_url,
        "runner": "celery",
        "broker_url": broker_url,
        "jwt_secret": secrets.token_urlsafe(48),
        "data_dir": str(scratch),
        "llm_provider": "openai",
        "llm_base_url": f"{llm_url}/v1",
        "llm_model": "mock-llm",
        "llm_api_key": "bench",
        "llm_cache_enabled": False,
        "llm_agent_header": AGENT_HEADER,
        "llm_max_concurrency": concurrency * AGENTS,
        "worker_concurrency": concurrency,
        "report_formats": REPORT_FORMATS,
        "runner_poll_interval_s": 0.2,
        "run_heartbeat_s": 1.0,
        "visibility_timeout_s": 120,
        "run_soft_time_limit_s": 60,
        "run_time_limit_s": 90,
        "log_level": "WARNING",
        "registration_rate_limit_per_ip": "1000/minute",
        "login_rate_limit_per_ip": "1000/minute",
        "login_rate_limit_per_account": "1000/minute",
        "access_token_ttl_s": 86_400,
    }


def _environment(values: dict[str, Any]) -> dict[str, str]:
    as_text = {
        f"INFRA_MIND_{k.upper()}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()
    }
    return {**os.environ, **as_text}


def _flush(broker_url: str) -> None:
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


@asynccontextmanager
async def _workers(
    count: int, values: dict[str, Any], settings: Settings, scratch: Path
) -> AsyncIterator[list[int]]:
    """`count` worker processes, yielded once every one answers a ping through the broker."""
    env = _environment(values)
    names = [f"bench-{number}-{uuid.uuid4().hex[:6]}@scaleout" for number in range(count)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.extend(_start_worker(name, env, scratch) for name in names)
        await asyncio.to_thread(_wait_for_pings, settings, names, processes, scratch)
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start_worker(name: str, env: dict[str, str], scratch: Path) -> subprocess.Popen[bytes]:
    """Each worker serves its Prometheus metrics on a port of its own, as on separate hosts."""
    with bind("127.0.0.1", 0) as sock:
        metrics_port = str(sock.getsockname()[1])
    with (scratch / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "infra_mind.cli", "worker", "--name", name],
            cwd=ROOT,
            env={**env, "INFRA_MIND_WORKER_METRICS_PORT": metrics_port},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_for_pings(
    settings: Settings, names: list[str], processes: list[subprocess.Popen[bytes]], scratch: Path
) -> None:
    control = build_celery(settings).control
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    waiting = set(names)
    while waiting:
        for name, process in zip(names, processes, strict=True):
            if process.poll() is not None:
                log = (scratch / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"worker {name} exited with {process.returncode}: {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"workers {sorted(waiting)} did not answer within {WORKER_START_TIMEOUT_S:g} s"
            )
        for reply in control.ping(destination=sorted(waiting), timeout=1.0):
            waiting -= reply.keys()


@asynccontextmanager
async def _client(app: Any) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as http:
        yield http


async def _sign_in(http: httpx2.AsyncClient) -> None:
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    registered = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    registered.raise_for_status()
    token = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    token.raise_for_status()
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"


async def _assessments(http: httpx2.AsyncClient, spec: dict[str, Any], count: int) -> list[str]:
    gate = asyncio.Semaphore(SUBMIT_CONCURRENCY)

    async def create() -> str:
        async with gate:
            response = await http.post("/api/v1/assessments", json=spec)
        response.raise_for_status()
        return str(response.json()["id"])

    return list(await asyncio.gather(*(create() for _ in range(count))))


async def _analyze(http: httpx2.AsyncClient, assessment_ids: list[str]) -> list[str]:
    gate = asyncio.Semaphore(SUBMIT_CONCURRENCY)

    async def post(assessment_id: str) -> str:
        async with gate:
            response = await http.post(f"/api/v1/assessments/{assessment_id}/analyze")
        if response.status_code != 202:
            raise RuntimeError(f"analyze answered {response.status_code}: {response.text[:200]}")
        return str(response.json()["id"])

    return list(await asyncio.gather(*(post(i) for i in assessment_ids)))


async def _wait_until_ended(database_url: str, run_ids: list[str]) -> None:
    database = Database(database_url)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            async with database.session() as session:
                ended = await session.scalar(
                    select(func.count()).where(Run.id.in_(run_ids), Run.status.in_(TERMINAL_STATES))
                )
            if ended == len(run_ids):
                return
            await asyncio.sleep(POLL_S)
    finally:
        await database.dispose()
    raise TimeoutError(f"{len(run_ids)} runs did not all end within {RUN_TIMEOUT_S:g} s")


def _machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of every core since boot: everything but idle and I/O wait is busy."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(ticks[:8])
    return total - ticks[3] - ticks[4], total


def _process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(Counter(values))


def table_rows(figures: ScaleOutFigures) -> list[tuple[str, ...]]:
    """One row per worker count: workers, slots, completed, wall, runs/min, scaling, run median, CPU."""
    rows: list[tuple[str, ...]] = []
    for m in figures.measurements:
        rows.append(
            (
                str(m.workers),
                str(m.workers * figures.concurrency),
                f"{m.completed}/{m.runs}",
                f"{m.wall_s:.1f} s",
                f"{m.runs_per_min:.0f}",
                f"{figures.scaling(m.workers):.2f}×",
                f"{m.run_median_s:.2f} s",
                f"{m.machine_cpu_busy:.0%}",
                f"{m.workers_cpu_share(figures.cpus):.0%}",
                f"{m.worker_cpu_s / max(m.completed, 1):.2f} s",
                ", ".join(str(n) for _, n in sorted(m.runs_by_worker.items())),
            )
        )
    return rows


TABLE_COLUMNS = (
    "workers",
    "slots",
    "done",
    "wall",
    "runs/min",
    "vs 1",
    "run median",
    "machine CPU",
    "workers' CPU",
    "CPU/run",
    "runs per worker",
)


def as_json(figures: ScaleOutFigures) -> dict[str, Any]:
    return {
        "target_scaling": TARGET_SCALING,
        "unit_s": figures.unit_s,
        "concurrency_per_worker": figures.concurrency,
        "runs": figures.runs,
        "cpus": figures.cpus,
        "report_formats": REPORT_FORMATS,
        "measurements": [
            {
                **dict(m.__dict__),
                "completed": m.completed,
                "runs_per_min": m.runs_per_min,
                "workers_cpu_share": m.workers_cpu_share(figures.cpus),
                "scaling": figures.scaling(m.workers),
            }
            for m in figures.measurements
        ],
        "latency_bound": figures.latency_bound,
        "met": figures.met,
    }
