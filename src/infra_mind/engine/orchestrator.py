"""Phase 2: fan the agents out, each with its timeout, retries and cancellation; fan the results in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import structlog

from infra_mind.agents.base import Agent, AgentReport, Progress, RetryPolicy, TransientAgentError
from infra_mind.agents.llm_step import Enrichment, LlmStep
from infra_mind.domain.agent_result import AgentError, AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.events import EventType
from infra_mind.engine.events import RunEmitter

log = structlog.get_logger()

_TRANSIENT = (TransientAgentError, ConnectionError)


class Mode(StrEnum):
    PARALLEL = "parallel"
    SEQUENTIAL = "sequential"


@dataclass(frozen=True)
class QuorumPolicy:
    min_ratio: float = 0.5
    required: frozenset[str] = frozenset()

    def met(self, results: dict[str, AgentResult]) -> bool:
        if not results:
            return False
        completed = {name for name, r in results.items() if r.ok}
        return len(completed) / len(results) >= self.min_ratio and self.required <= completed

    def describe(self, results: dict[str, AgentResult]) -> dict[str, object]:
        completed = sum(r.ok for r in results.values())
        return {
            "min_ratio": self.min_ratio,
            "required": sorted(self.required),
            "completed": completed,
            "total": len(results),
            "met": self.met(results),
        }


@dataclass
class Cancellation:
    """Set from anywhere in the run's event loop; the orchestrator stops every running agent."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""

    def cancel(self, reason: str = "cancelled by request") -> None:
        self.reason = reason
        self.event.set()

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()


@dataclass(frozen=True)
class FanOutResult:
    results: dict[str, AgentResult]
    wall_s: float
    cancelled: bool
    reused: frozenset[str] = frozenset()


class Orchestrator:
    def __init__(
        self,
        agents: list[Agent],
        *,
        timeout_override_s: float | None = None,
        retry_override: RetryPolicy | None = None,
    ) -> None:
        names = [a.name for a in agents]
        if len(set(names)) != len(names):
            raise ValueError(f"agent names must be unique: {names}")
        self._agents = agents
        self._timeout_override_s = timeout_override_s
        self._retry_override = retry_override

    @property
    def agent_names(self) -> list[str]:
        return [a.name for a in self._agents]

    async def fan_out(
        self,
        ctx: AssessmentContext,
        emitter: RunEmitter,
        *,
        mode: Mode = Mode.PARALLEL,
        cancellation: Cancellation | None = None,
        llm_step: LlmStep | None = None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> FanOutResult:
        """Runs every agent not in `reuse`; a reused result (an earlier run's) stands for its agent as is."""
        cancellation = cancellation or Cancellation()
        reuse = reuse or {}
        agents = [a for a in self._agents if a.name not in reuse]
        started = time.perf_counter()
        for name in self.agent_names:
            if name in reuse:
                await _announce_reused(emitter, reuse[name])
        gate = asyncio.Semaphore(len(agents) if mode is Mode.PARALLEL else 1)
        tasks = [
            asyncio.create_task(self._guarded(a, ctx, emitter, gate, llm_step), name=a.name) for a in agents
        ]
        watcher = asyncio.create_task(cancellation.event.wait())
        pending: set[asyncio.Future[Any]] = set(tasks)
        try:
            while pending and not watcher.done():
                _, pending = await asyncio.wait(pending | {watcher}, return_when=asyncio.FIRST_COMPLETED)
                pending.discard(watcher)
        finally:
            # Also when this run itself is cancelled (its runner stops): no agent outlives it.
            watcher.cancel()
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        ran = {a.name: t.result() for a, t in zip(agents, tasks, strict=True)}
        results = {name: reuse[name] if name in reuse else ran[name] for name in self.agent_names}
        wall_s = time.perf_counter() - started
        return FanOutResult(results, wall_s, cancellation.cancelled, frozenset(results) - frozenset(ran))

    async def _guarded(
        self,
        agent: Agent,
        ctx: AssessmentContext,
        emitter: RunEmitter,
        gate: asyncio.Semaphore,
        llm_step: LlmStep | None,
    ) -> AgentResult:
        attempts = 0
        started_at: datetime | None = None
        t0 = 0.0
        try:
            async with gate:
                started_at, t0 = datetime.now(UTC), time.perf_counter()
                await emitter.emit(EventType.AGENT_STARTED, agent=agent.name)
                timeout = self._timeout_override_s or agent.timeout_s
                retry = self._retry_override or agent.retry

                async def progress(pct: float, message: str) -> None:
                    await emitter.emit(
                        EventType.AGENT_PROGRESS,
                        agent=agent.name,
                        pct=round(min(max(pct, 0), 100), 1),
                        message=message,
                    )

                while True:
                    attempts += 1
                    try:
                        report, elapsed = await _attempt(agent, ctx, progress, timeout)
                    except TimeoutError as exc:
                        error = AgentError(
                            type="TimeoutError",
                            message=str(exc) or f"no result within {timeout:g} s",
                            transient=True,
                        )
                        if not retry.retry_on_timeout or attempts >= retry.max_attempts:
                            return await self._finish(
                                agent, emitter, AgentStatus.TIMED_OUT, attempts, started_at, t0, error=error
                            )
                    except _TRANSIENT as exc:
                        error = AgentError(type=type(exc).__name__, message=str(exc), transient=True)
                        if attempts >= retry.max_attempts:
                            return await self._finish(
                                agent, emitter, AgentStatus.FAILED, attempts, started_at, t0, error=error
                            )
                    except Exception as exc:
                        log.warning("agent.crashed", agent=agent.name, error=repr(exc))
                        error = AgentError(type=type(exc).__name__, message=str(exc) or repr(exc))
                        return await self._finish(
                            agent, emitter, AgentStatus.FAILED, attempts, started_at, t0, error=error
                        )
                    else:
                        enrichment = None
                        if llm_step is not None:
                            enrichment = await llm_step.enrich(
                                agent.name, report, timeout - elapsed, progress
                            )
                        return await self._finish(
                            agent,
                            emitter,
                            AgentStatus.COMPLETED,
                            attempts,
                            started_at,
                            t0,
                            report=report,
                            enrichment=enrichment,
                        )
                    delay = retry.delay(attempts)
                    await emitter.emit(
                        EventType.AGENT_RETRYING,
                        agent=agent.name,
                        attempt=attempts + 1,
                        delay_s=delay,
                        error=error.message,
                    )
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            error = AgentError(type="CancelledError", message="the run was cancelled")
            return await self._finish(
                agent, emitter, AgentStatus.CANCELLED, attempts, started_at, t0, error=error, emit=False
            )

    async def _finish(
        self,
        agent: Agent,
        emitter: RunEmitter,
        status: AgentStatus,
        attempts: int,
        started_at: datetime | None,
        t0: float,
        *,
        report: AgentReport | None = None,
        enrichment: Enrichment | None = None,
        error: AgentError | None = None,
        emit: bool = True,
    ) -> AgentResult:
        duration = time.perf_counter() - t0 if started_at else 0.0
        extra = enrichment.recommendations if enrichment else []
        result = AgentResult(
            agent=agent.name,
            status=status,
            attempts=attempts,
            started_at=started_at,
            finished_at=datetime.now(UTC) if started_at else None,
            duration_s=round(duration, 6),
            error=error,
            summary=report.summary if report else (error.message if error else ""),
            findings=report.findings if report else [],
            recommendations=[*report.recommendations, *extra] if report else [],
            output=report.output if report else None,
            narrative=enrichment.narrative if enrichment else None,
        )
        if emit:
            event = _STATUS_EVENTS[status]
            await emitter.emit(
                event,
                agent=agent.name,
                duration_s=result.duration_s,
                attempts=attempts,
                **({"error": error.message} if error else {}),
            )
        return result


async def _announce_reused(emitter: RunEmitter, result: AgentResult) -> None:
    await emitter.emit(
        EventType.AGENT_COMPLETED,
        agent=result.agent,
        duration_s=result.duration_s,
        attempts=result.attempts,
        reused=True,
    )


async def _attempt(
    agent: Agent, ctx: AssessmentContext, progress: Progress, limit_s: float
) -> tuple[AgentReport, float]:
    """One try and its seconds. A step that never yields cannot be interrupted, so an overrun is judged
    when it returns."""
    started = time.perf_counter()
    async with asyncio.timeout(limit_s):
        report = await agent.run(ctx, progress)
    elapsed = time.perf_counter() - started
    if elapsed > limit_s:
        raise TimeoutError(f"ran {elapsed:.3f} s, over its {limit_s:g} s timeout; the result is discarded")
    return report, elapsed


_STATUS_EVENTS = {
    AgentStatus.COMPLETED: EventType.AGENT_COMPLETED,
    AgentStatus.FAILED: EventType.AGENT_FAILED,
    AgentStatus.TIMED_OUT: EventType.AGENT_TIMED_OUT,
}
