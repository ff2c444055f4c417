"""The embedded runner on a thread of the API's process (INFRA_MIND_EMBEDDED_RUNNER=thread; by default
`infra-mind serve` runs it in a process of its own, jobs/process_runner.py): the in-process runner on its
own event loop thread.

An agent computes for tens of milliseconds at a stretch and a run writes its events as it goes; on the
API's loop that would hold up every request. On a loop of its own, the API's loop stays free: the GIL
hands it the interpreter every few milliseconds however busy the runs are. The runner's loop has its own
database engine and LLM client (both are bound to the loop that uses them); its events reach the API's
subscribers through a relay that hands each one over to the API's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

import structlog

from infra_mind.config import Settings
from infra_mind.domain.events import Event
from infra_mind.engine.factory import build_pipeline
from infra_mind.jobs.cancel import request_cancel
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.execution import RunsAssessments
from infra_mind.jobs.loop_thread import LoopThread
from infra_mind.jobs.runner import InProcessRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient, build_llm
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import RunState

log = structlog.get_logger(__name__)


class LoopRelay:
    """Hands stored events from the runner's loop to the API loop's subscribers."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[Event], None]) -> None:
        self._loop = loop
        self._deliver = deliver

    def send(self, event: Event) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver, event)


@dataclass
class _RunnerParts:
    database: Database
    llm: LlmClient
    runner: InProcessRunner


class ThreadedRunner:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        knowledge: Knowledge,
        metrics: Metrics,
        hub: EventHub,
        *,
        report_formats: tuple[str, ...],
        max_concurrent_runs: int,
        poll_interval_s: float,
        pipeline: Callable[[EventHub], RunsAssessments] | None = None,
    ) -> None:
        """`database` and `hub` are the API's: the hub replays from that database and receives the runner's
        events; the runner opens its own engine on the same database, bound to its loop.
        `pipeline` builds the pipeline on the runner's hub; by default the one the settings describe."""
        self._settings = settings
        self._database = database
        self._knowledge = knowledge
        self._metrics = metrics
        self._hub = hub
        self._formats = report_formats
        self._max = max_concurrent_runs
        self._poll_interval_s = poll_interval_s
        self._pipeline = pipeline
        self._thread: LoopThread | None = None
        self._parts: _RunnerParts | None = None

    @property
    def running(self) -> bool:
        return (
            self._thread is not None
            and self._thread.alive
            and self._parts is not None
            and self._parts.runner.running
        )

    @property
    def in_flight(self) -> int:
        return self._parts.runner.in_flight if self._parts is not None else 0

    async def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = LoopThread("infra-mind-runs")
        self._thread.start()
        relay = LoopRelay(asyncio.get_running_loop(), self._hub.deliver)
        self._parts = await self._thread.call(self._open(relay))

    async def stop(self) -> None:
        if self._thread is None:
            return
        if self._parts is not None:
            await self._thread.call(self._close(self._parts))
            self._parts = None
        self._thread.stop()
        self._thread = None

    async def submit(self, run_id: str) -> None:
        """Wakes the runner without waiting for its loop, which may be busy with an agent's computation."""
        if self._thread is not None and self._parts is not None:
            self._thread.loop.call_soon_threadsafe(self._parts.runner.wake)

    async def cancel(self, run_id: str) -> str | None:
        """Through the database, so it holds whether or not the runner is started; a run executing here
        is also stopped at once rather than at the runner's next poll."""
        status = await request_cancel(self._database, self._hub, run_id)
        if status == RunState.RUNNING.value and self._thread is not None and self._parts is not None:
            self._thread.loop.call_soon_threadsafe(self._parts.runner.cancel_local, run_id)
        return status

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        return self._hub.subscribe(run_id, after_seq)

    async def health(self) -> dict[str, Literal["ok", "failing"]]:
        return {"runner": "ok" if self.running else "failing"}

    async def _open(self, relay: LoopRelay) -> _RunnerParts:
        settings = self._settings
        database = Database.for_runs(settings, self._database.url)
        hub = EventHub(database, poll_interval_s=self._poll_interval_s, relay=relay)
        llm = build_llm(settings)
        pipeline = (
            self._pipeline(hub)
            if self._pipeline is not None
            else build_pipeline(settings, self._knowledge, hub, self._formats, llm=llm)
        )
        runner = InProcessRunner(
            database,
            hub,
            pipeline,
            self._metrics,
            max_concurrent_runs=self._max,
            poll_interval_s=self._poll_interval_s,
        )
        await runner.start()
        return _RunnerParts(database, llm, runner)

    @staticmethod
    async def _close(parts: _RunnerParts) -> None:
        await parts.runner.stop()
        await parts.llm.aclose()
        await parts.database.dispose()
