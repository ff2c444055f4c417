"""Phases 1–5 of one run. Everything a run measures lives in the run, nothing on the pipeline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog

from infra_mind.agents.llm_step import LlmStep
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import AssessmentResult, RunStatus, ValidationSummary
from infra_mind.domain.events import EventType
from infra_mind.domain.metrics import ExecutionMetrics
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.compliance_scoring import compliance_scores
from infra_mind.engine.events import EventSink, RunEmitter
from infra_mind.engine.grounding import ground_results
from infra_mind.engine.metrics import execution_metrics, llm_usage
from infra_mind.engine.orchestrator import Cancellation, Mode, Orchestrator, QuorumPolicy
from infra_mind.engine.services import cost_model
from infra_mind.engine.synthesis import synthesize
from infra_mind.engine.validation import build_context
from infra_mind.errors import InfraMindError
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.grounding import Grounding
from infra_mind.llm import LlmClient
from infra_mind.llm.offline_provider import OfflineProvider
from infra_mind.reports.render import RenderedReport, check_formats, make_environment, render_reports

log = structlog.get_logger()


@dataclass(frozen=True)
class RunOutcome:
    result: AssessmentResult
    reports: list[RenderedReport]


class Pipeline:
    def __init__(
        self,
        knowledge: Knowledge,
        orchestrator: Orchestrator,
        bus: EventSink,
        *,
        quorum: QuorumPolicy | None = None,
        report_formats: tuple[str, ...] = ("md", "json"),
        llm: LlmClient | None = None,
    ) -> None:
        """`llm` is shared across runs (provider, cache); each run takes its own via `for_run()`."""
        self._knowledge = knowledge
        self._llm = llm or LlmClient(OfflineProvider())
        self._grounding = Grounding(knowledge)
        self._orchestrator = orchestrator
        self._bus = bus
        self._quorum = quorum or QuorumPolicy()
        check_formats(report_formats)
        self._formats = report_formats
        self._templates = make_environment()

    @property
    def agent_names(self) -> list[str]:
        return self._orchestrator.agent_names

    async def aclose(self) -> None:
        await self._llm.aclose()

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode = Mode.PARALLEL,
        cancellation: Cancellation | None = None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome:
        """`reuse`: completed results of an earlier run of the same input; only the other agents run."""
        emitter = RunEmitter(self._bus, run_id)
        try:
            run = _RunState(emitter, mode, cancellation or Cancellation(), self._llm.for_run())
            return await self._run(spec, run, reuse or {})
        except InfraMindError as exc:
            await emitter.emit(
                EventType.RUN_FAILED, status=RunStatus.FAILED.value, error=exc.message, code=exc.code
            )
            raise
        except Exception as exc:
            log.exception("run.crashed", run_id=run_id)
            await emitter.emit(
                EventType.RUN_FAILED, status=RunStatus.FAILED.value, error=repr(exc), code="internal_error"
            )
            raise

    async def _run(
        self, spec: AssessmentInput, run: _RunState, reuse: Mapping[str, AgentResult]
    ) -> RunOutcome:
        await run.emitter.emit(
            EventType.RUN_STARTED, mode=run.mode.value, agents=self._orchestrator.agent_names
        )
        async with run.phase("validation") as done:
            ctx = build_context(spec, self._knowledge)
            done(warnings=len(ctx.warnings))

        await run.emitter.emit(EventType.PHASE_STARTED, phase="agents")
        fan = await self._orchestrator.fan_out(
            ctx,
            run.emitter,
            mode=run.mode,
            cancellation=run.cancellation,
            llm_step=LlmStep(run.llm, self._grounding, ctx),
            reuse=reuse,
        )
        run.phase_times["agents"] = fan.wall_s
        run.reused = fan.reused
        completed = sum(r.ok for r in fan.results.values())
        await run.emitter.emit(
            EventType.PHASE_COMPLETED, phase="agents", completed=completed, total=len(fan.results)
        )

        quorum_met = self._quorum.met(fan.results)
        results = fan.results
        recommendations, costs, scores, grounding = [], None, None, []
        if quorum_met and not run.cancellation.cancelled:
            async with run.phase("synthesis") as done:
                grounded = ground_results(results, self._grounding)
                results, grounding = grounded.results, grounded.issues
                recommendations = synthesize(results, ctx)
                done(recommendations=len(recommendations), grounding_issues=len(grounding))
        if quorum_met and not run.cancellation.cancelled:
            async with run.phase("professional_services") as done:
                costs, scores = await asyncio.gather(
                    asyncio.to_thread(cost_model, results, ctx, self._knowledge),
                    asyncio.to_thread(compliance_scores, results, ctx, self._knowledge, recommendations),
                )
                done()

        status = _status(run.cancellation.cancelled, quorum_met, results)
        result = AssessmentResult(
            assessment_id=run.emitter.run_id,
            status=status,
            quorum=self._quorum.describe(results),
            validation=ValidationSummary(
                warnings=list(ctx.warnings),
                defaults=list(ctx.defaults),
                constraints=ctx.constraints,
                grounding=grounding,
            ),
            agents=results,
            recommendations=recommendations,
            cost_model=costs,
            compliance=scores,
            execution_metrics=run.metrics(results),
        )
        reports: list[RenderedReport] = []
        if status is not RunStatus.CANCELLED:
            async with run.phase("reports") as done:
                reports = await asyncio.to_thread(render_reports, result, ctx, self._formats, self._templates)
                done(count=len(reports))
        metrics = run.metrics(results)
        result = result.model_copy(update={"execution_metrics": metrics, "reports": [r.ref for r in reports]})
        reason = {"reason": run.cancellation.reason} if status is RunStatus.CANCELLED else {}
        await run.emitter.emit(
            _TERMINAL_EVENTS[status], status=status.value, total_time_s=round(metrics.total_time, 6), **reason
        )
        log.info("run.finished", run_id=run.emitter.run_id, status=status.value, total_s=metrics.total_time)
        return RunOutcome(result, reports)


class _RunState:
    """What one run measures and carries between phases; never shared between runs."""

    def __init__(self, emitter: RunEmitter, mode: Mode, cancellation: Cancellation, llm: LlmClient) -> None:
        self.emitter = emitter
        self.mode = mode
        self.cancellation = cancellation
        self.llm = llm
        self.phase_times: dict[str, float] = {}
        self.reused: frozenset[str] = frozenset()
        self._started = time.perf_counter()

    @asynccontextmanager
    async def phase(self, name: str) -> AsyncIterator[Callable[..., None]]:
        """Times a phase and brackets it with events; the body reports its completion data."""
        data: dict[str, Any] = {}
        await self.emitter.emit(EventType.PHASE_STARTED, phase=name)
        started = time.perf_counter()
        yield data.update
        self.phase_times[name] = time.perf_counter() - started
        await self.emitter.emit(EventType.PHASE_COMPLETED, phase=name, **data)

    def metrics(self, results: dict[str, AgentResult]) -> ExecutionMetrics:
        total_time, llm = time.perf_counter() - self._started, llm_usage(self.llm)
        metrics = execution_metrics(self.mode.value, results, self.phase_times, total_time, llm)
        if not self.reused:
            return metrics
        # A reused agent keeps its earlier duration in agent_times, but it did not run in this run's
        # agent phase: the sequential cost, speed-up and critical path count only the agents that ran.
        ran = {name: r for name, r in results.items() if name not in self.reused}
        this_run = execution_metrics(self.mode.value, ran, self.phase_times, total_time, llm)
        return metrics.model_copy(
            update={
                "sum_agent_time": this_run.sum_agent_time,
                "speedup_factor": this_run.speedup_factor if ran else None,
                "critical_path_agent": this_run.critical_path_agent,
            }
        )


def _status(cancelled: bool, quorum_met: bool, results: dict[str, AgentResult]) -> RunStatus:
    if cancelled:
        return RunStatus.CANCELLED
    if not quorum_met:
        return RunStatus.FAILED
    return RunStatus.COMPLETED if all(r.ok for r in results.values()) else RunStatus.PARTIAL


_TERMINAL_EVENTS = {
    RunStatus.COMPLETED: EventType.RUN_COMPLETED,
    RunStatus.PARTIAL: EventType.RUN_COMPLETED,
    RunStatus.FAILED: EventType.RUN_FAILED,
    RunStatus.CANCELLED: EventType.RUN_CANCELLED,
}
