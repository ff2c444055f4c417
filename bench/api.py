"""The API under load: `POST /assessments/{id}/analyze` latency with 200 concurrent clients while runs
execute (the embedded runner in its own process, as `serve` runs it), and 1,000 runs in flight in one
process (the embedded runner on a thread of the API's process). LLM mode against the mock server
(bench/mockllm, seed latency profile), SQLite in a temp dir, and a fresh PostgreSQL database per phase on
the machine's server (INFRA_MIND_TEST_POSTGRES_URL) when it is reachable.

Processes as a deployment has them: the app (uvicorn on a real localhost socket) in this one, with its
runner's process when it has one; the clients in a spawned worker process; the mock LLM server in a
subprocess. Not httpx2's ASGITransport: in-process clients would share the app's event loop and CPU, the
latency would leave out HTTP parsing and TCP, and the mock's requests would inflate the app's RSS.

The in-flight runs render Markdown and JSON only: PDFs are measured in the reports benchmark, and rendering
1,000 of them would measure WeasyPrint, not the runner.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import uvicorn
import uvloop
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from bench import postgres
from bench.fanout_llm import AGENT_HEADER, SEED_PROFILE
from bench.mockllm.server import bind
from infra_mind.api.app import create_app
from infra_mind.config import EmbeddedRunner, Settings
from infra_mind.jobs.interpreter import favour_io_over_compute
from infra_mind.jobs.threaded_runner import ThreadedRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.heap import freeze_startup_heap
from infra_mind.store.db import Database
from infra_mind.store.models import Run
from infra_mind.store.repositories.runs import TERMINAL_STATES

ROOT = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0
PASSWORD = "Bench-password-42"
IN_FLIGHT_FORMATS = ["md", "json"]
# A thousand runs started at once share two cores: an agent waits minutes for its turn at the CPU, which
# the default per-agent timeouts (20-30 s of wall time, meant to catch a hung agent) would take for a
# hang. An operator running this many at once raises them (INFRA_MIND_AGENT_TIMEOUT_S), as here.
IN_FLIGHT_AGENT_TIMEOUT_S = 1800.0
SETUP_CONCURRENCY = 50
POLL_S = 0.25
MOCK_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LatencyRound:
    label: str
    posts: int
    accepted: int
    runs_in_flight_before: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class SubmitFigures:
    database: str
    clients: int
    unit_s: float
    max_concurrent_runs: int
    rounds: list[LatencyRound]

    @property
    def measured(self) -> LatencyRound:
        """The steady round: clients with think time, posting while the earlier posts' runs execute."""
        return self.rounds[-1]

    @property
    def met(self) -> bool:
        measured = self.measured
        return measured.accepted == measured.posts and measured.p99_ms < TARGET_P99_MS


@dataclass(frozen=True)
class InFlightFigures:
    database: str
    runs: int
    unit_s: float
    llm_max_concurrency: int
    report_formats: list[str]
    accepted: int
    by_status: dict[str, int]
    errors: dict[str, int]
    """distinct run errors (first 120 characters) and how many runs ended with each"""
    peak_in_flight: int
    unanswered_polls: int
    """status polls of the watcher that failed (database locked, say) and were tried again"""
    wall_s: float
    llm_requests: int
    rss_before_mib: float
    peak_rss_mib: float
    """VmHWM, reset just before the runs were posted where the kernel allows it, else ru_maxrss"""
    peak_rss_reset: bool
    ru_maxrss_mib: float
    samples: list[tuple[float, int, float]] = field(default_factory=list)
    """(seconds since the first post, runs in flight, VmRSS MiB) every few seconds"""

    @property
    def completed(self) -> int:
        return self.by_status.get("completed", 0)

    @property
    def runs_per_s(self) -> float:
        return self.completed / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def met(self) -> bool:
        return self.completed == self.runs


@dataclass(frozen=True)
class ApiFigures:
    submit: list[SubmitFigures]
    in_flight: list[InFlightFigures]


async def phase_databases(scratch: Path, phase: str, *, with_postgres: bool) -> AsyncIterator[str]:
    """A fresh SQLite file, then a fresh PostgreSQL database if asked and the server is reachable, each
    phase its own: runs one phase leaves queued must not execute in the next and take its CPU."""
    yield f"sqlite+aiosqlite:///{scratch / f'bench-api-{phase}.db'}"
    if with_postgres and await postgres.unusable() is None:
        async with postgres.fresh_database() as url:
            yield url


async def measure(
    spec: dict[str, Any],
    knowledge: Knowledge,
    *,
    clients: int = 200,
    rounds: int = 2,
    think_s: float = 5.0,
    steady_posts_per_client: int = 6,
    submit_unit_s: float = 0.1,
    submit_max_concurrent_runs: int = 4,
    runs: int = 1000,
    in_flight_unit_s: float = 0.05,
    llm_max_concurrency: int = 256,
    with_postgres: bool = True,
    scale_out: Callable[[dict[str, Any], Knowledge, ProcessPoolExecutor], Awaitable[SubmitFigures]]
    | None = None,
) -> ApiFigures:
    """`scale_out`, when the stack for it is there, measures the submit latency with a Celery worker too
    (bench/api_scale_out.py)."""
    submit, in_flight = [], []
    with tempfile.TemporaryDirectory() as scratch, _client_process() as pool:
        if scale_out is not None:
            submit.append(await scale_out(spec, knowledge, pool))
        async for url in phase_databases(Path(scratch), "submit", with_postgres=with_postgres):
            submit.append(
                await measure_submit(
                    spec,
                    knowledge,
                    pool,
                    database_url=url,
                    data_dir=Path(scratch),
                    clients=clients,
                    rounds=rounds,
                    unit_s=submit_unit_s,
                    max_concurrent_runs=submit_max_concurrent_runs,
                    think_s=think_s,
                    steady_posts_per_client=steady_posts_per_client,
                )
            )
        if runs == 0:
            return ApiFigures(submit, in_flight)
        async for url in phase_databases(Path(scratch), "in-flight", with_postgres=with_postgres):
            in_flight.append(
                await measure_in_flight(
                    spec,
                    knowledge,
                    pool,
                    database_url=url,
                    data_dir=Path(scratch),
                    runs=runs,
                    clients=clients,
                    unit_s=in_flight_unit_s,
                    llm_max_concurrency=llm_max_concurrency,
                )
            )
    return ApiFigures(submit, in_flight)


async def measure_submit(
    spec: dict[str, Any],
    knowledge: Knowledge,
    pool: ProcessPoolExecutor,
    *,
    database_url: str,
    data_dir: Path,
    clients: int,
    rounds: int,
    unit_s: float,
    max_concurrent_runs: int,
    think_s: float = 5.0,
    steady_posts_per_client: int = 6,
) -> SubmitFigures:
    """`rounds` bursts of `clients` analyze posts sent at once (their latency is mostly the queue of the
    burst itself: the server answers them one after another), then the measured load: `clients`
    concurrent clients that each post, wait for the answer, think for about `think_s` seconds and post
    again, while the runs the earlier posts queued execute. Each post is on a fresh assessment."""
    with _mock_llm(unit_s) as llm_url:
        settings = _settings(
            database_url, data_dir, llm_url, max_concurrent_runs=max_concurrent_runs, llm_max_concurrency=8
        )
        app = create_app(settings, knowledge=knowledge)
        measured = await submit_rounds(app, spec, pool, clients, rounds, think_s, steady_posts_per_client)
    where = f"{_dialect(database_url)}, embedded runner in a process of its own (serve's default)"
    return SubmitFigures(where, clients, unit_s, max_concurrent_runs, measured)


async def submit_rounds(
    app: FastAPI,
    spec: dict[str, Any],
    pool: ProcessPoolExecutor,
    clients: int,
    rounds: int,
    think_s: float,
    steady_posts_per_client: int,
) -> list[LatencyRound]:
    """The bursts and the steady load against `app` served on a socket, whatever its runner."""
    measured = []
    database = app.state.services.database
    async with _serving(app) as (base_url, _):
        token = await _signed_in(base_url)
        owner = await _owner_id(base_url, token)
        ids = await _assessments(base_url, token, spec, clients * rounds)
        for number in range(rounds):
            batch = ids[number * clients : (number + 1) * clients]
            before = (await _statuses(database, owner)).get("running", 0)
            posts = await _post_from_clients(pool, base_url, token, batch, clients)
            label = f"burst {number + 1}: {clients} posts at once" + (", runs executing" if number else "")
            measured.append(_latency_round(label, posts, before))
        steady_ids = await _assessments(base_url, token, spec, clients * steady_posts_per_client)
        before = (await _statuses(database, owner)).get("running", 0)
        loop = asyncio.get_running_loop()
        posts = await loop.run_in_executor(pool, _post_steady, base_url, token, steady_ids, clients, think_s)
        label = f"steady: {clients} clients, one post per {think_s:g} s each, runs executing"
        measured.append(_latency_round(label, posts, before))
    await _cancel_leftovers(database.url, owner)
    return measured


async def _cancel_leftovers(database_url: str, owner_id: str) -> None:
    """The runs this phase queued but did not wait for: cancelled, so a later phase on the same database
    does not execute (and count) them."""
    database = Database(database_url)
    try:
        async with database.session() as session:
            await session.execute(
                update(Run)
                .where(Run.owner_id == owner_id, Run.status.in_(["queued", "running"]))
                .values(status="cancelled", error="left over by the benchmark's submit phase")
            )
    finally:
        await database.dispose()


async def measure_in_flight(
    spec: dict[str, Any],
    knowledge: Knowledge,
    pool: ProcessPoolExecutor,
    *,
    database_url: str,
    data_dir: Path,
    runs: int,
    clients: int,
    unit_s: float,
    llm_max_concurrency: int,
    timeout_s: float = 3600.0,
) -> InFlightFigures:
    """`runs` analyze posts with max_concurrent_runs = `runs`, then waits until every run has ended, or
    `timeout_s`. The runs are watched through an engine of the benchmark's own: the app's connection
    pool is what runs out under this load, and a watcher must not take from it nor fail with it."""
    with _mock_llm(unit_s) as llm_url:
        settings = _settings(
            database_url,
            data_dir,
            llm_url,
            max_concurrent_runs=runs,
            llm_max_concurrency=llm_max_concurrency,
            report_formats=IN_FLIGHT_FORMATS,
            agent_timeout_s=IN_FLIGHT_AGENT_TIMEOUT_S,
            embedded_runner=EmbeddedRunner.THREAD,
        )
        async with _serving(create_app(settings, knowledge=knowledge)) as (base_url, app):
            token = await _signed_in(base_url)
            ids = await _assessments(base_url, token, spec, runs)
            owner = await _owner_id(base_url, token)
            runner = _runner(app)
            watcher = Database(database_url)
            rss_before = _proc_status_mib("VmRSS")
            reset = _reset_peak_rss()
            requests_before = await _llm_requests(llm_url)
            started = time.perf_counter()
            posts = await _post_from_clients(pool, base_url, token, ids, clients)
            peak, samples, next_sample = 0, [], 0.0
            by_status: dict[str, int] = {}
            unanswered_polls = 0
            while time.perf_counter() - started < timeout_s:
                peak = max(peak, runner.in_flight)
                elapsed = time.perf_counter() - started
                if elapsed >= next_sample:
                    samples.append((round(elapsed, 1), runner.in_flight, _proc_status_mib("VmRSS")))
                    next_sample = elapsed + 5.0
                try:
                    by_status = await _statuses(watcher, owner)
                except (OSError, SQLAlchemyError):
                    unanswered_polls += 1
                if sum(n for status, n in by_status.items() if status in TERMINAL_STATES) >= runs:
                    break
                await asyncio.sleep(POLL_S)
            wall_s = time.perf_counter() - started
            errors = await _errors(watcher, owner)
            await watcher.dispose()
            llm_requests = await _llm_requests(llm_url) - requests_before
    return InFlightFigures(
        database=f"{_dialect(database_url)}, embedded runner on a thread of the API's process",
        runs=runs,
        unit_s=unit_s,
        llm_max_concurrency=llm_max_concurrency,
        report_formats=IN_FLIGHT_FORMATS,
        accepted=sum(post.status == 202 for post in posts),
        by_status=by_status,
        errors=errors,
        peak_in_flight=peak,
        unanswered_polls=unanswered_polls,
        wall_s=wall_s,
        llm_requests=llm_requests,
        rss_before_mib=rss_before,
        peak_rss_mib=_proc_status_mib("VmHWM") if reset else _ru_maxrss_mib(),
        peak_rss_reset=reset,
        ru_maxrss_mib=_ru_maxrss_mib(),
        samples=samples,
    )


def _settings(
    database_url: str,
    data_dir: Path,
    llm_url: str,
    *,
    max_concurrent_runs: int,
    llm_max_concurrency: int,
    report_formats: list[str] | None = None,
    agent_timeout_s: float | None = None,
    embedded_runner: EmbeddedRunner = EmbeddedRunner.PROCESS,
) -> Settings:
    """The LLM cache is off, so every run's calls reach the server; the auth limits are out of the way."""
    return Settings(
        database_url=database_url,
        jwt_secret=secrets.token_urlsafe(48),
        data_dir=data_dir,
        llm_provider="openai",
        llm_base_url=f"{llm_url}/v1",
        llm_model="mock-llm",
        llm_cache_enabled=False,
        llm_agent_header=AGENT_HEADER,
        llm_max_concurrency=llm_max_concurrency,
        max_concurrent_runs=max_concurrent_runs,
        embedded_runner=embedded_runner,
        agent_timeout_s=agent_timeout_s,
        report_formats=report_formats or ["md", "json"],
        registration_rate_limit_per_ip="1000/minute",
        login_rate_limit_per_ip="1000/minute",
        login_rate_limit_per_account="1000/minute",
        access_token_ttl_s=86_400,
    )


@contextmanager
def _mock_llm(unit_s: float) -> Iterator[str]:
    """The mock LLM server in its own process, with the seed profile × `unit_s`: its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.mockllm",
            "--port",
            "0",
            "--profile",
            str(SEED_PROFILE),
            "--latency-scale",
            str(unit_s),
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the mock LLM server did not start (exit code {process.poll()})")
        _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + MOCK_START_TIMEOUT_S
    while True:
        try:
            httpx2.get(f"{url}/v1/models", timeout=1.0).raise_for_status()
            return
        except httpx2.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


async def _llm_requests(llm_url: str) -> int:
    async with httpx2.AsyncClient() as http:
        response = await http.get(f"{llm_url}/mock/stats")
        response.raise_for_status()
        return int(response.json()["requests"])


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[tuple[str, FastAPI]]:
    """The app under uvicorn on a free localhost port, lifespan (migrations, runner) included."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on")
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    switch_interval = sys.getswitchinterval()
    try:
        while not server.started:
            if serving.done():
                serving.result()
                raise RuntimeError("the API server stopped while starting")
            await asyncio.sleep(0.01)
        # As `infra-mind serve` does once it has built the app.
        freeze_startup_heap()
        if isinstance(app.state.services.runner, ThreadedRunner):
            favour_io_over_compute()
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await serving
        gc.unfreeze()
        sys.setswitchinterval(switch_interval)


def _runner(app: FastAPI) -> ThreadedRunner:
    runner = app.state.services.runner
    if not isinstance(runner, ThreadedRunner):
        raise TypeError("the API benchmark measures the embedded runner of `infra-mind serve`")
    return runner


async def _signed_in(base_url: str) -> str:
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    async with httpx2.AsyncClient(base_url=base_url, timeout=60) as http:
        registered = await http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        registered.raise_for_status()
        response = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        response.raise_for_status()
        return str(response.json()["access_token"])


async def _owner_id(base_url: str, token: str) -> str:
    async with httpx2.AsyncClient(base_url=base_url, headers=_bearer(token), timeout=60) as http:
        response = await http.get("/api/v1/auth/me")
        response.raise_for_status()
        return str(response.json()["id"])


async def _assessments(base_url: str, token: str, spec: dict[str, Any], count: int) -> list[str]:
    limits = httpx2.Limits(max_connections=SETUP_CONCURRENCY)
    async with httpx2.AsyncClient(
        base_url=base_url, headers=_bearer(token), limits=limits, timeout=120
    ) as http:
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)

        async def create() -> str:
            async with gate:
                response = await http.post("/api/v1/assessments", json=spec)
            response.raise_for_status()
            return str(response.json()["id"])

        return list(await asyncio.gather(*(create() for _ in range(count))))


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def _client_process() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_warm_up).result()
        yield pool


def _warm_up() -> None:
    """The worker's imports happen here, not in the first measured round."""


@dataclass(frozen=True)
class Post:
    status: int
    ms: float
    run_id: str | None


async def _post_from_clients(
    pool: ProcessPoolExecutor, base_url: str, token: str, assessment_ids: list[str], clients: int
) -> list[Post]:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, _post_analyze, base_url, token, assessment_ids, clients)


def _post_analyze(base_url: str, token: str, assessment_ids: list[str], clients: int) -> list[Post]:
    """In the client process: `clients` connections post one analyze each, all at once, until every
    assessment is posted; (status, latency ms) per post."""
    return uvloop.run(_post_concurrently(base_url, token, assessment_ids, clients))


async def _post_concurrently(
    base_url: str, token: str, assessment_ids: list[str], clients: int
) -> list[Post]:
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(
        base_url=base_url, headers=_bearer(token), limits=limits, timeout=120
    ) as http:
        gate = asyncio.Semaphore(clients)

        async def post(assessment_id: str) -> Post:
            async with gate:
                started = time.perf_counter()
                response = await http.post(f"/api/v1/assessments/{assessment_id}/analyze")
                ms = (time.perf_counter() - started) * 1000
            run_id = response.json()["id"] if response.status_code == 202 else None
            return Post(response.status_code, ms, run_id)

        return list(await asyncio.gather(*(post(i) for i in assessment_ids)))


def _post_steady(
    base_url: str, token: str, assessment_ids: list[str], clients: int, think_s: float
) -> list[Post]:
    """In the client process: each client posts its share of the assessments one after another, with a
    think time drawn uniformly from [0.5, 1.5] × think_s between posts (the first after a random delay,
    so the clients do not start in step)."""
    return uvloop.run(_post_with_think_time(base_url, token, assessment_ids, clients, think_s))


async def _post_with_think_time(
    base_url: str, token: str, assessment_ids: list[str], clients: int, think_s: float
) -> list[Post]:
    rng = random.Random(7)
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(
        base_url=base_url, headers=_bearer(token), limits=limits, timeout=120
    ) as http:

        async def client(share: list[str], delays: list[float]) -> list[Post]:
            posts = []
            for assessment_id, delay in zip(share, delays, strict=True):
                await asyncio.sleep(delay)
                started = time.perf_counter()
                response = await http.post(f"/api/v1/assessments/{assessment_id}/analyze")
                ms = (time.perf_counter() - started) * 1000
                posts.append(Post(response.status_code, ms, None))
            return posts

        shares = [assessment_ids[i::clients] for i in range(clients)]
        plans = [
            [rng.uniform(0, think_s)] + [rng.uniform(0.5, 1.5) * think_s for _ in share[1:]]
            for share in shares
        ]
        done = await asyncio.gather(*(client(share, plan) for share, plan in zip(shares, plans, strict=True)))
    return [post for posts in done for post in posts]


def _latency_round(label: str, posts: list[Post], before: int) -> LatencyRound:
    latencies = sorted(post.ms for post in posts)
    return LatencyRound(
        label=label,
        posts=len(posts),
        accepted=sum(post.status == 202 for post in posts),
        runs_in_flight_before=before,
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        max_ms=latencies[-1],
    )


def _percentile(ordered: list[float], pct: int) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[pct - 1]


async def _statuses(database: Database, owner_id: str) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(
            select(Run.status, func.count()).where(Run.owner_id == owner_id).group_by(Run.status)
        )
        return dict(rows.all())


async def _errors(database: Database, owner_id: str) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(
            select(Run.error, func.count())
            .where(Run.owner_id == owner_id, Run.error.is_not(None))
            .group_by(Run.error)
        )
    errors: dict[str, int] = {}
    for error, count in rows.all():
        shown = (error or "")[:120]
        errors[shown] = errors.get(shown, 0) + count
    return errors


def _dialect(database_url: str) -> str:
    return database_url.split("+", 1)[0].split(":", 1)[0]


def _proc_status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak_rss() -> bool:
    """Linux resets VmHWM to the current RSS on writing 5 to clear_refs: the peak of this measurement
    alone, not of the benchmarks before it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _ru_maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table_rows(figures: ApiFigures) -> list[tuple[str, list[tuple[str, str]]]]:
    sections = []
    for submit in figures.submit:
        rows = [
            (
                f"{r.label}: p50 / p95 / p99 / max",
                f"{r.p50_ms:.1f} / {r.p95_ms:.1f} / {r.p99_ms:.1f} / {r.max_ms:.1f} ms",
            )
            for r in submit.rounds
        ]
        rows += [
            (
                f"{r.label}: accepted (202), runs in flight before",
                f"{r.accepted}/{r.posts}, {r.runs_in_flight_before}",
            )
            for r in submit.rounds
        ]
        title = (
            f"POST analyze, {submit.database}: {submit.clients} concurrent clients per round, LLM mode "
            f"(mock, seed profile × {submit.unit_s:g} s), max_concurrent_runs={submit.max_concurrent_runs}"
        )
        sections.append((title, rows))
    for run in figures.in_flight:
        rows = [
            ("runs completed", f"{run.completed}/{run.runs}"),
            ("runs by status", ", ".join(f"{k} {v}" for k, v in sorted(run.by_status.items()))),
            ("peak runs in flight", str(run.peak_in_flight)),
            ("watcher status polls that failed", str(run.unanswered_polls)),
            ("wall time, first post to last run ended", f"{run.wall_s:.1f} s"),
            ("runs per second", f"{run.runs_per_s:.1f}"),
            ("LLM requests served", f"{run.llm_requests:,}"),
            ("RSS before the posts", f"{run.rss_before_mib:.0f} MiB"),
            (
                "peak RSS (VmHWM, reset before the posts)" if run.peak_rss_reset else "peak RSS (ru_maxrss)",
                f"{run.peak_rss_mib:.0f} MiB",
            ),
            ("ru_maxrss of the process", f"{run.ru_maxrss_mib:.0f} MiB"),
        ]
        rows += [(f"error ×{n}", error) for error, n in run.errors.items()]
        title = (
            f"{run.runs:,} runs in flight, {run.database}: max_concurrent_runs={run.runs}, LLM mode (mock, "
            f"seed profile × {run.unit_s:g} s, LLM_MAX_CONCURRENCY={run.llm_max_concurrency}), reports "
            f"{' + '.join(run.report_formats)}, AGENT_TIMEOUT_S={IN_FLIGHT_AGENT_TIMEOUT_S:g}"
        )
        sections.append((title, rows))
    return sections


def as_json(figures: ApiFigures) -> dict[str, Any]:
    return {
        "target_p99_ms": TARGET_P99_MS,
        "submit": [
            {
                **{k: v for k, v in s.__dict__.items() if k != "rounds"},
                "rounds": [dict(r.__dict__) for r in s.rounds],
                "met": s.met,
            }
            for s in figures.submit
        ],
        "in_flight": [
            {**dict(r.__dict__), "completed": r.completed, "runs_per_s": r.runs_per_s, "met": r.met}
            for r in figures.in_flight
        ],
    }
