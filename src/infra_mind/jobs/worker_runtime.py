"""What a Celery worker process executes runs with: one asyncio loop in its own thread.

Why this pool: a run is an asyncio fan-out that mostly waits (LLM calls, the database). Celery runs each
task in one of `WORKER_CONCURRENCY` threads (the `threads` pool); the thread hands its run to the single
loop of the process and waits. So one worker executes many runs at once, and they share one database
pool, one LLM client (its connection pool and concurrency cap) and one copy of the knowledge base, which
are bound to that loop. Celery's own time limits need the prefork pool; this runtime enforces them in
the loop: at the soft limit the run is cancelled cooperatively, at the hard limit it is stopped and failed.

Who executes a run is decided by its lease in the database, not by the broker: a task claims the run
(queued, or running under a lease gone stale because its worker died) and renews the lease while it
runs. A delivery that finds the run finished, or executing elsewhere under a live lease, does nothing.
A sweeper sends again the runs no worker holds (a lost message), so none is stuck.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import structlog

from infra_mind.config import Settings
from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.events import EventType
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Cancellation
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.execution import RunExecutor, RunsAssessments
from infra_mind.jobs.outcome import final_event, runner_event
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.relay import RedisEventRelay
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient, build_llm
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import RunState
from infra_mind.store.repositories import RunRepository
from infra_mind.store.repositories.runs import TERMINAL_STATES, ClaimedRun
from infra_mind.store.types import utc_now

log = structlog.get_logger(__name__)

T = TypeVar("T")

MAX_DELIVERIES = 3
STALE_AFTER_HEARTBEATS = 3
ALIVE_EVERY_S = 5.0
START_TIMEOUT_S = 120.0


class TaskOutcome(StrEnum):
    EXECUTED = "executed"
    TAKEN_OVER = "taken_over"
    ALREADY_FINISHED = "already_finished"
    RUNNING_ELSEWHERE = "still_running_elsewhere"
    GAVE_UP = "gave_up"
    UNKNOWN_RUN = "unknown_run"


class WorkerRuntime:
    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        *,
        name: str,
        send: Callable[[str], None],
        alive_path: Path | None = None,
        knowledge: Knowledge | None = None,
        pipeline: Callable[[EventHub], RunsAssessments] | None = None,
    ) -> None:
        """`send(run_id)` puts a run's task on the broker again (the sweeper's resend). `pipeline` builds
        the pipeline on the runtime's event hub; by default the one the settings describe."""
        self._settings = settings
        self._metrics = metrics
        self.name = name
        self._send = send
        self._alive_path = alive_path
        self._knowledge = knowledge
        self._pipeline = pipeline
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="infra-mind-runs", daemon=True)
        self._stale_after = timedelta(seconds=settings.run_heartbeat_s * STALE_AFTER_HEARTBEATS)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._background: list[asyncio.Task[None]] = []
        self._opened: _Opened | None = None

    def start(self) -> None:
        self._thread.start()
        self._call(self._open(), timeout_s=START_TIMEOUT_S)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close(), timeout_s=None)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def execute(self, run_id: str) -> TaskOutcome:
        """Called from a Celery task thread; returns when the run has ended (or was not this task's)."""
        return self._call(self._execute(run_id), timeout_s=None)

    def _call(self, coroutine: Coroutine[Any, Any, T], *, timeout_s: float | None) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    async def _open(self) -> None:
        settings = self._settings
        database = Database.for_runs(settings)
        relay = RedisEventRelay(settings.broker_url)
        await relay.start()
        hub = EventHub(database, poll_interval_s=settings.runner_poll_interval_s, relay=relay)
        llm = build_llm(settings)
        formats = tuple(dict.fromkeys(settings.report_formats))
        if self._pipeline is not None:
            pipeline = self._pipeline(hub)
        else:
            knowledge = self._knowledge
            if knowledge is None:
                knowledge = await asyncio.to_thread(Knowledge.load, settings.knowledge_dir)
            pipeline = build_pipeline(settings, knowledge, hub, formats, llm=llm)
        executor = RunExecutor(
            database, hub, pipeline, self._metrics, poll_interval_s=settings.runner_poll_interval_s
        )
        self._opened = _Opened(database, relay, llm, executor)
        self._background = [asyncio.create_task(self._sweep(), name="worker.sweeper")]
        if self._alive_path is not None:
            self._background.append(asyncio.create_task(self._keep_alive(self._alive_path)))
        log.info("worker.started", worker=self.name, formats=formats)

    async def _close(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, *self._in_flight, return_exceptions=True)
        if self._opened is not None:
            await self._opened.close()
        log.info("worker.stopped", worker=self.name)

    @property
    def _open_parts(self) -> _Opened:
        if self._opened is None:
            raise RuntimeError("the worker runtime is not started")
        return self._opened

    async def _execute(self, run_id: str) -> TaskOutcome:
        parts = self._open_parts
        structlog.contextvars.bind_contextvars(run_id=run_id, worker=self.name)
        hub = parts.executor.hub
        async with parts.database.session() as session:
            run = await RunRepository(session).load(run_id)
            if run is None:
                return TaskOutcome.UNKNOWN_RUN
            if run.status in TERMINAL_STATES:
                return TaskOutcome.ALREADY_FINISHED
            was_running, previous_worker, attempts = run.status == RunState.RUNNING, run.worker, run.attempts
            queue = RunQueue(session)
            stale_before = utc_now() - self._stale_after
            if was_running and attempts >= MAX_DELIVERIES:
                return await self._give_up(session, run_id, run.mode, attempts, stale_before)
            claimed = await queue.claim_leased(run_id, worker=self.name, stale_before=stale_before)
            if claimed is None:
                return TaskOutcome.RUNNING_ELSEWHERE if was_running else TaskOutcome.ALREADY_FINISHED
            job = ClaimedRun.of(claimed)
            announced = None
            if was_running:
                reason = f"taken over from {previous_worker or 'a runner'}: its lease went stale"
                announced = await hub.append(
                    session, runner_event(run_id, EventType.RUN_QUEUED, reason=reason)
                )
        if announced is not None:
            hub.announce(announced)
            log.warning("worker.run_taken_over", previous_worker=previous_worker, attempt=attempts + 1)
        self._metrics.run_started(job.mode)
        await self._supervise(job)
        return TaskOutcome.TAKEN_OVER if was_running else TaskOutcome.EXECUTED

    async def _give_up(
        self, session: Any, run_id: str, mode: str, attempts: int, stale_before: Any
    ) -> TaskOutcome:
        """Its workers died `attempts` times: the run fails visibly rather than kill another worker."""
        run = await RunRepository(session).load(run_id)
        if run is None or (run.heartbeat_at is not None and run.heartbeat_at >= stale_before):
            return TaskOutcome.RUNNING_ELSEWHERE
        error = f"its worker stopped {attempts} times while executing it"
        hub = self._open_parts.executor.hub
        if not await RunQueue(session).move(run_id, RunState.RUNNING, RunState.FAILED, error=error):
            return TaskOutcome.ALREADY_FINISHED
        event = await hub.append(
            session, final_event(run_id, RunStatus.FAILED, error=error, code="interrupted")
        )
        hub.announce(event)
        self._metrics.run_failed(mode)
        log.error("worker.run_given_up", attempts=attempts)
        return TaskOutcome.GAVE_UP

    async def _supervise(self, job: ClaimedRun) -> None:
        """Executes the run under its lease and time limits."""
        executor = self._open_parts.executor
        settings = self._settings
        cancellation = Cancellation()
        execution = asyncio.create_task(executor.execute(job, cancellation))
        self._in_flight.add(execution)
        lease = asyncio.create_task(self._keep_lease(job.run_id, execution))
        try:
            done, _ = await asyncio.wait({execution}, timeout=settings.run_soft_time_limit_s)
            if not done:
                cancellation.cancel(
                    f"the run reached its soft time limit of {settings.run_soft_time_limit_s:g} s"
                )
                grace = settings.run_time_limit_s - settings.run_soft_time_limit_s
                done, _ = await asyncio.wait({execution}, timeout=grace)
            if not done:
                execution.cancel()
                await asyncio.gather(execution, return_exceptions=True)
                reason = f"the run reached its hard time limit of {settings.run_time_limit_s:g} s"
                await executor.fail(job.run_id, job.mode, reason)
            elif execution.cancelled():
                log.warning("worker.run_abandoned", reason="its lease was taken over")
        finally:
            lease.cancel()
            await asyncio.gather(lease, return_exceptions=True)
            self._in_flight.discard(execution)

    async def _keep_lease(self, run_id: str, execution: asyncio.Task[None]) -> None:
        """Renews the lease; if another worker took the run over, this one stops executing it."""
        database = self._open_parts.database
        while not execution.done():
            await asyncio.sleep(self._settings.run_heartbeat_s)
            try:
                async with database.session() as session:
                    held = await RunQueue(session).renew_lease(run_id, worker=self.name)
            except Exception:
                log.exception("worker.lease_renewal_failed")
                continue
            if not held and not execution.done():
                execution.cancel()
                return

    async def _sweep(self) -> None:
        """Sends again the runs no worker holds: a stale lease (its worker died), or a lost message."""
        database = self._open_parts.database
        interval = self._stale_after.total_seconds()
        while True:
            await asyncio.sleep(interval)
            try:
                async with database.session() as session:
                    queue = RunQueue(session)
                    now = utc_now()
                    orphans = await queue.orphaned(
                        stale_before=now - self._stale_after,
                        queued_before=now - timedelta(seconds=self._settings.visibility_timeout_s),
                    )
                    for run_id in orphans:
                        await asyncio.to_thread(self._send, run_id)
                    await queue.mark_sent(orphans)
                if orphans:
                    log.warning("worker.orphans_sent_again", count=len(orphans), run_ids=orphans[:20])
            except Exception:
                log.exception("worker.sweep_failed")

    async def _keep_alive(self, path: Path) -> None:
        """The loop is responsive while this file keeps being touched (`infra-mind worker-healthcheck`)."""
        while True:
            await asyncio.to_thread(path.touch)
            await asyncio.sleep(ALIVE_EVERY_S)


@dataclass(frozen=True)
class _Opened:
    """What the runtime builds inside its loop, where they are bound."""

    database: Database
    relay: RedisEventRelay
    llm: LlmClient
    executor: RunExecutor

    async def close(self) -> None:
        await self.executor.close()
        await self.llm.aclose()
        await self.relay.stop()
        await self.database.dispose()
