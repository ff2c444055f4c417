"""Runs compute on a loop of their own; the runner's loop keeps the database work.

An agent's analysis holds its event loop for up to half a second at a time. On one loop, a transaction
of the runner waits that long between its statements: on SQLite it holds the database's one write lock
meanwhile, and the API's posts queue behind it. Here the pipelines execute on a loop in a thread of
their own, and every event they publish, every claim and every store runs on the runner's loop, which
only waits for the database and the interpreter lock (see `favour_io_over_compute`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.events import Event
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import EventSink
from infra_mind.engine.orchestrator import Cancellation, Mode
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.jobs.execution import RunsAssessments
from infra_mind.jobs.loop_thread import LoopThread

T = TypeVar("T")


class EventsToLoop:
    """A pipeline's events, handed from the compute loop to a sink on the runner's loop; the agent goes
    on once its event is stored there, as it would on one loop."""

    def __init__(self, sink: EventSink, loop: asyncio.AbstractEventLoop) -> None:
        self._sink = sink
        self._loop = loop

    async def publish(self, event: Event) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._sink.publish(event), self._loop))


class PipelineOnThread:
    """Runs assessments on `compute`'s loop for callers on another loop. The pipeline must be built with
    an `EventsToLoop` bus, and its LLM client used and closed on that loop only."""

    def __init__(self, pipeline: RunsAssessments, compute: LoopThread) -> None:
        self._pipeline = pipeline
        self._compute = compute

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode,
        cancellation: Cancellation | None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome:
        # asyncio.Event is not thread-safe: the compute loop gets a cancellation of its own, set there.
        mirrored = relay = None
        if cancellation is not None:
            mirrored = Cancellation()
            relay = asyncio.create_task(self._relay(cancellation, mirrored), name=f"cancel relay {run_id}")
        pipeline_run = self._pipeline.run(spec, run_id=run_id, mode=mode, cancellation=mirrored, reuse=reuse)
        try:
            running = await self._compute.call(_started(pipeline_run))
            try:
                return await self._compute.call(_outcome(running))
            except asyncio.CancelledError:
                # The runner stops: the run's agents end before it is re-queued, as on one loop.
                await self._compute.call(_cancelled(running))
                raise
        finally:
            if relay is not None:
                relay.cancel()

    async def _relay(self, cancellation: Cancellation, mirrored: Cancellation) -> None:
        await cancellation.event.wait()
        self._compute.loop.call_soon_threadsafe(mirrored.cancel, cancellation.reason)


async def _started(coroutine: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    return asyncio.ensure_future(coroutine)


async def _outcome(task: asyncio.Task[T]) -> T:
    return await task


async def _cancelled(task: asyncio.Task[Any]) -> None:
    task.cancel()
    await asyncio.wait({task})


async def cancel_leftovers() -> None:
    """On the compute loop before it stops: a run the runner stopped may still be winding down there."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
