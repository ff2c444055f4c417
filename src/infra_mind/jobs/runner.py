"""The runner interface and the embedded in-process runner: a bounded asyncio pool over a queue in the DB.

How the API uses a runner: create the run row (queued) and commit, then `await runner.submit(run_id)`;
`await runner.cancel(run_id)`; `runner.subscribe(run_id, after_seq)` for SSE. `start()` on app start-up
(it recovers runs a crash left running), `stop()` on shutdown (runs in flight go back to the queue).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal, Protocol

import structlog

from infra_mind.domain.events import Event, EventType
from infra_mind.engine.orchestrator import Cancellation
from infra_mind.jobs.cancel import request_cancel
from infra_mind.jobs.cancel_watcher import CANCELLED_BY_REQUEST
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.execution import RunExecutor, RunsAssessments
from infra_mind.jobs.outcome import runner_event
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.recovery import Recovery, recover_interrupted_runs
from infra_mind.jobs.stopping import await_or_cancel
from infra_mind.observability.metrics import RunMetrics
from infra_mind.store.db import Database
from infra_mind.store.repositories.runs import ClaimedRun, claim_next_run

log = structlog.get_logger(__name__)


class Runner(Protocol):
    """What the API needs of a run executor: the embedded runners and the Celery one fit it."""

    @property
    def running(self) -> bool:
        """Taking runs now."""

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

    async def health(self) -> dict[str, Literal["ok", "failing"]]:
        """Named checks for `/ready`: is the runner able to execute runs now?"""


class InProcessRunner:
    def __init__(
        self,
        database: Database,
        hub: EventHub,
        pipeline: RunsAssessments,
        metrics: RunMetrics,
        *,
        max_concurrent_runs: int = 4,
        poll_interval_s: float = 1.0,
    ) -> None:
        if max_concurrent_runs < 1:
            raise ValueError("max_concurrent_runs must be at least 1")
        self._database = database
        self._hub = hub
        self._executor = RunExecutor(database, hub, pipeline, metrics, poll_interval_s=poll_interval_s)
        self._metrics = metrics
        self._max = max_concurrent_runs
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancellations: dict[str, Cancellation] = {}
        self._stopping = False

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
            # Asked, not cancelled: a claim cut off mid-transaction could keep SQLite's write lock.
            self._stopping = True
            self._wake.set()
            await await_or_cancel(self._dispatcher)
            self._dispatcher = None
            self._stopping = False
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._executor.close()
        log.info("jobs.stopped", interrupted=len(tasks))

    async def submit(self, run_id: str) -> None:
        log.debug("jobs.submitted", run_id=run_id)
        self.wake()

    def wake(self) -> None:
        """Look at the queue now rather than at the next poll (from this runner's loop)."""
        self._wake.set()

    async def cancel(self, run_id: str) -> str | None:
        status = await request_cancel(self._database, self._hub, run_id)
        self.cancel_local(run_id)
        log.info("jobs.cancel_requested", run_id=run_id, status=status)
        await self._report_queue()
        return status

    def cancel_local(self, run_id: str) -> None:
        """Stops the run now if this runner executes it (from this runner's loop)."""
        local = self._cancellations.get(run_id)
        if local is not None:
            local.cancel(CANCELLED_BY_REQUEST)

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        return self._hub.subscribe(run_id, after_seq)

    async def health(self) -> dict[str, Literal["ok", "failing"]]:
        return {"runner": "ok" if self.running else "failing"}

    async def _dispatch(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._fill()
                await self._report_queue()
            except Exception:
                log.exception("jobs.dispatch_failed")
            if not self._stopping:
                await self._sleep_until_woken()

    async def _sleep_until_woken(self) -> None:
        # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow a cancel that races the wake-up.
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=self._poll_interval_s)
        finally:
            waiter.cancel()

    async def _fill(self) -> None:
        while not self._stopping and len(self._tasks) < self._max:
            claimed = await self._database.run_transaction(claim_next_run)
            if claimed is None:
                return
            self._metrics.run_started(claimed.mode)
            task = asyncio.create_task(self._execute(claimed), name=f"run {claimed.run_id}")
            self._tasks[claimed.run_id] = task
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks = {run_id: t for run_id, t in self._tasks.items() if t is not task}
        self._wake.set()

    async def _execute(self, claimed: ClaimedRun) -> None:
        cancellation = self._cancellations[claimed.run_id] = Cancellation()
        try:
            await self._executor.execute(claimed, cancellation)
        except asyncio.CancelledError:
            await self._requeue_after_stop(claimed.run_id)
            raise
        finally:
            self._cancellations.pop(claimed.run_id, None)

    async def _requeue_after_stop(self, run_id: str) -> None:
        async with self._database.session() as session:
            announced = None
            if await RunQueue(session).requeue_after_stop(run_id):
                event = runner_event(run_id, EventType.RUN_QUEUED, reason="re-queued: the runner stopped")
                announced = await self._hub.append(session, event)
        if announced is not None:
            self._hub.announce(announced)

    async def _report_queue(self) -> None:
        async with self._database.session() as session:
            queued = await RunQueue(session).count_queued()
        self._metrics.set_queue(queued=queued, in_flight=len(self._tasks))
