"""The runner interface and the embedded in-process runner: a bounded asyncio pool over a queue in the DB.

How the API uses a runner: create the run row (queued) and commit, then `await runner.submit(run_id)`;
`await runner.cancel(run_id)`; `runner.subscribe(run_id, after_seq)` for SSE. `start()` on app start-up
(it recovers runs a crash left running), `stop()` on shutdown (runs in flight go back to the queue).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Protocol

import structlog
from pydantic import ValidationError

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.events import Event, EventType
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.orchestrator import Cancellation, Mode
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.errors import InfraMindError, NotFound
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.outcome import final_event, runner_event, save_outcome
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.recovery import Recovery, recover_interrupted_runs
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, Run, RunState
from infra_mind.store.repositories import ResultRepository, RunRepository
from infra_mind.store.repositories.runs import TERMINAL_STATES

log = structlog.get_logger(__name__)

CANCELLED_BY_REQUEST = "cancelled by request"


class Runner(Protocol):
    async def start(self) -> None:
        """Recovers interrupted runs, then starts taking queued runs."""

    async def stop(self) -> None:
        """Stops taking runs; runs in flight go back to the queue."""

    async def submit(self, run_id: str) -> None:
        """Announces a run whose `queued` row is committed; the runner takes it when a slot is free."""

    async def cancel(self, run_id: str) -> str | None:
        """A queued run becomes `cancelled` at once; a running one is asked to stop and ends `cancelled`.

        Answers the run's status after the request (`running` while a cancel is in progress), or None for
        an unknown run. The caller checks ownership.
        """

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        """The run's events after `after_seq`: stored ones first, then live ones, up to its final event."""


class RunsAssessments(Protocol):
    """What the runner needs of the engine's Pipeline (built with the runner's EventHub as its bus)."""

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode,
        cancellation: Cancellation | None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome: ...


@dataclass(frozen=True)
class _Claimed:
    """What the runner keeps of a claimed run once its session is closed."""

    run_id: str
    mode: str
    assessment_id: str
    rerun_of: str | None

    @classmethod
    def of(cls, run: Run) -> _Claimed:
        return cls(run.id, run.mode, run.assessment_id, run.rerun_of)


class InProcessRunner:
    def __init__(
        self,
        database: Database,
        hub: EventHub,
        pipeline: RunsAssessments,
        metrics: Metrics,
        *,
        max_concurrent_runs: int = 4,
        poll_interval_s: float = 1.0,
    ) -> None:
        if max_concurrent_runs < 1:
            raise ValueError("max_concurrent_runs must be at least 1")
        self._database = database
        self._hub = hub
        self._pipeline = pipeline
        self._metrics = metrics
        self._max = max_concurrent_runs
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancellations: dict[str, Cancellation] = {}

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    @property
    def running(self) -> bool:
        return self._dispatcher is not None and not self._dispatcher.done()

    async def start(self) -> None:
        if self.running:
            return
        await self.recover()
        self._dispatcher = asyncio.create_task(self._dispatch(), name="jobs.dispatcher")
        log.info("jobs.started", max_concurrent_runs=self._max)

    async def recover(self) -> Recovery:
        return await recover_interrupted_runs(self._database, self._hub)

    async def stop(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        log.info("jobs.stopped", interrupted=len(tasks))

    async def submit(self, run_id: str) -> None:
        log.debug("jobs.submitted", run_id=run_id)
        self._wake.set()

    async def cancel(self, run_id: str) -> str | None:
        announced: Event | None = None
        async with self._database.session() as session:
            runs = RunRepository(session)
            run = await runs.load(run_id)
            if run is None:
                return None
            if run.status in TERMINAL_STATES:
                return run.status
            await RunQueue(session).request_cancel(run_id)
            status = run.status
            if status == RunState.QUEUED:
                moved = await RunQueue(session).move(run_id, RunState.QUEUED, RunState.CANCELLED)
                if moved:
                    status = RunState.CANCELLED.value
                    event = final_event(run_id, RunStatus.CANCELLED, reason=CANCELLED_BY_REQUEST)
                    announced = await self._hub.append(session, event)
                else:
                    status = RunState.RUNNING.value
        if announced is not None:
            self._hub.announce(announced)
        local = self._cancellations.get(run_id)
        if local is not None:
            local.cancel(CANCELLED_BY_REQUEST)
        log.info("jobs.cancel_requested", run_id=run_id, status=status)
        await self._report_queue()
        return status

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        return self._hub.subscribe(run_id, after_seq)

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._fill()
                await self._report_queue()
            except Exception:
                log.exception("jobs.dispatch_failed")
            await self._sleep_until_woken()

    async def _sleep_until_woken(self) -> None:
        # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow a cancel that races the wake-up.
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=self._poll_interval_s)
        finally:
            waiter.cancel()

    async def _fill(self) -> None:
        while len(self._tasks) < self._max:
            async with self._database.session() as session:
                run = await RunQueue(session).claim_next()
                if run is None:
                    return
                claimed = _Claimed.of(run)
            self._metrics.run_started(claimed.mode)
            task = asyncio.create_task(self._execute(claimed), name=f"run {claimed.run_id}")
            self._tasks[claimed.run_id] = task
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks = {run_id: t for run_id, t in self._tasks.items() if t is not task}
        self._wake.set()

    async def _execute(self, claimed: _Claimed) -> None:
        run_id, mode = claimed.run_id, claimed.mode
        # This task's own context: every log line of the run, agents' included, carries its id.
        structlog.contextvars.bind_contextvars(run_id=run_id)
        cancellation = self._cancellations[run_id] = Cancellation()
        self._hub.hold_terminal(run_id)
        watcher = asyncio.create_task(self._watch_cancel(run_id, cancellation))
        log.info("jobs.run_started", run_id=run_id, mode=mode, rerun_of=claimed.rerun_of)
        try:
            spec, version = await self._load_input(claimed.assessment_id)
            reuse = await self._reusable_results(claimed, version)
            outcome = await self._pipeline.run(
                spec, run_id=run_id, mode=Mode(mode), cancellation=cancellation, reuse=reuse
            )
            await self._store(run_id, outcome)
        except asyncio.CancelledError:
            await self._requeue_after_stop(run_id)
            raise
        except Exception as exc:
            await self._fail(run_id, mode, exc)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            self._cancellations.pop(run_id, None)
            self._hub.take_terminal(run_id)

    async def _load_input(self, assessment_id: str) -> tuple[AssessmentInput, int]:
        """The assessment's current input and its version."""
        async with self._database.session() as session:
            assessment = await session.get(Assessment, assessment_id)
            if assessment is None:
                raise NotFound(f"assessment {assessment_id} does not exist")
            return parse_input(assessment.input), assessment.version

    async def _reusable_results(self, claimed: _Claimed, version: int) -> dict[str, AgentResult]:
        """A re-run keeps the completed agents of the run it repeats, if that run analysed this same input."""
        if claimed.rerun_of is None:
            return {}
        async with self._database.session() as session:
            source = await RunRepository(session).load(claimed.rerun_of)
            if source is None or source.assessment_version != version:
                log.warning(
                    "jobs.rerun_reuses_nothing",
                    run_id=claimed.run_id,
                    rerun_of=claimed.rerun_of,
                    source_version=source.assessment_version if source else None,
                    assessment_version=version,
                )
                return {}
            stored = await ResultRepository(session).completed_agent_results(source.id)
        reuse = {}
        for agent, data in stored.items():
            try:
                reuse[agent] = AgentResult.model_validate(data)
            except ValidationError as exc:
                log.warning(
                    "jobs.rerun_result_unreadable", run_id=claimed.run_id, agent=agent, error=str(exc)
                )
        log.info("jobs.rerun_reuses", run_id=claimed.run_id, rerun_of=claimed.rerun_of, agents=sorted(reuse))
        return reuse

    async def _store(self, run_id: str, outcome: RunOutcome) -> None:
        status = outcome.result.status
        async with self._database.session() as session:
            await save_outcome(session, run_id, outcome)
            held = self._hub.take_terminal(run_id) or final_event(run_id, status)
            announced = await self._hub.append(session, held)
        self._hub.announce(announced)
        self._metrics.record_run(outcome.result)
        log.info("jobs.run_finished", run_id=run_id, status=status.value)

    async def _fail(self, run_id: str, mode: str, exc: Exception) -> None:
        """The pipeline or the store raised: the run ends `failed` with the reason, never left running."""
        error = exc.message if isinstance(exc, InfraMindError) else repr(exc)
        log.error("jobs.run_crashed", run_id=run_id, error=error, exc_info=exc)
        held = self._hub.take_terminal(run_id)
        try:
            async with self._database.session() as session:
                moved = await RunQueue(session).move(run_id, RunState.RUNNING, RunState.FAILED, error=error)
                announced = None
                if moved:
                    code = exc.code if isinstance(exc, InfraMindError) else "internal_error"
                    event = held or final_event(run_id, RunStatus.FAILED, error=error, code=code)
                    announced = await self._hub.append(session, event)
        except Exception:
            log.exception("jobs.fail_unrecorded", run_id=run_id)
            return
        if announced is not None:
            self._hub.announce(announced)
            self._metrics.runs_finished.labels(mode, RunStatus.FAILED.value).inc()

    async def _requeue_after_stop(self, run_id: str) -> None:
        async with self._database.session() as session:
            announced = None
            if await RunQueue(session).requeue_after_stop(run_id):
                event = runner_event(run_id, EventType.RUN_QUEUED, reason="re-queued: the runner stopped")
                announced = await self._hub.append(session, event)
        if announced is not None:
            self._hub.announce(announced)

    async def _watch_cancel(self, run_id: str, cancellation: Cancellation) -> None:
        """A cancel sent to another process reaches this run through the database."""
        while not cancellation.cancelled:
            await asyncio.sleep(self._poll_interval_s)
            try:
                async with self._database.session() as session:
                    requested = await RunQueue(session).cancel_requested(run_id)
            except Exception:
                log.exception("jobs.cancel_check_failed", run_id=run_id)
                continue
            if requested:
                cancellation.cancel(CANCELLED_BY_REQUEST)

    async def _report_queue(self) -> None:
        async with self._database.session() as session:
            queued = await RunQueue(session).count_queued()
        self._metrics.set_queue(queued=queued, in_flight=len(self._tasks))
