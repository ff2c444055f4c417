"""Phases 1–5 of one run. Everything a run measures lives in the run, nothing on the pipeline."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import structlog

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import AssessmentResult, RunStatus, ValidationSummary
from infra_mind.domain.events import EventType
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.events import EventBus, RunEmitter
from infra_mind.engine.metrics import execution_metrics
from infra_mind.engine.orchestrator import Cancellation, Mode, Orchestrator, QuorumPolicy
from infra_mind.engine.services import compliance_scores, cost_model
from infra_mind.engine.synthesis import synthesize
from infra_mind.engine.validation import build_context
from infra_mind.errors import InfraMindError
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.render import RenderedReport, make_environment, render_reports

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
        bus: EventBus,
        *,
        quorum: QuorumPolicy | None = None,
        report_formats: tuple[str, ...] = ("md", "json"),
    ) -> None:
        self._knowledge = knowledge
        self._orchestrator = orchestrator
        self._bus = bus
        self._quorum = quorum or QuorumPolicy()
        self._formats = report_formats
        self._templates = make_environment()

    @property
    def agent_names(self) -> list[str]:
        return self._orchestrator.agent_names

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode = Mode.PARALLEL,
        cancellation: Cancellation | None = None,
    ) -> RunOutcome:
        emitter = RunEmitter(self._bus, run_id)
        try:
            return await self._run(spec, emitter, mode, cancellation or Cancellation())
        except InfraMindError as exc:
            await emitter.emit(
                EventType.RUN_FAILED, status=RunStatus.FAILED.value, error=exc.message, code=exc.code
            )
            raise

    async def _run(
        self,
        spec: AssessmentInput,
        emitter: RunEmitter,
        mode: Mode,
        cancellation: Cancellation,
    ) -> RunOutcome:
        run_id = emitter.run_id
        phase_times: dict[str, float] = {}
        started = time.perf_counter()
        await emitter.emit(EventType.RUN_STARTED, mode=mode.value, agents=self._orchestrator.agent_names)

        await emitter.emit(EventType.PHASE_STARTED, phase="validation")
        t = time.perf_counter()
        ctx = build_context(spec, self._knowledge)
        phase_times["validation"] = time.perf_counter() - t
        await emitter.emit(EventType.PHASE_COMPLETED, phase="validation", warnings=len(ctx.warnings))

        await emitter.emit(EventType.PHASE_STARTED, phase="agents")
        fan = await self._orchestrator.fan_out(ctx, emitter, mode=mode, cancellation=cancellation)
        phase_times["agents"] = fan.wall_s
        await emitter.emit(
            EventType.PHASE_COMPLETED,
            phase="agents",
            completed=sum(r.ok for r in fan.results.values()),
            total=len(fan.results),
        )

        quorum_met = self._quorum.met(fan.results)
        recommendations, costs, scores = [], None, None
        if quorum_met and not fan.cancelled:
            await emitter.emit(EventType.PHASE_STARTED, phase="synthesis")
            t = time.perf_counter()
            recommendations = synthesize(fan.results, ctx)
            phase_times["synthesis"] = time.perf_counter() - t
            await emitter.emit(
                EventType.PHASE_COMPLETED, phase="synthesis", recommendations=len(recommendations)
            )

            await emitter.emit(EventType.PHASE_STARTED, phase="professional_services")
            t = time.perf_counter()
            costs, scores = await asyncio.gather(
                asyncio.to_thread(cost_model, fan.results, ctx, self._knowledge),
                asyncio.to_thread(compliance_scores, fan.results),
            )
            phase_times["professional_services"] = time.perf_counter() - t
            await emitter.emit(EventType.PHASE_COMPLETED, phase="professional_services")

        status = _status(fan.cancelled, quorum_met, fan.results)
        result = AssessmentResult(
            assessment_id=run_id,
            status=status,
            quorum=self._quorum.describe(fan.results),
            validation=ValidationSummary(warnings=list(ctx.warnings), constraints=ctx.constraints),
            agents=fan.results,
            recommendations=recommendations,
            cost_model=costs,
            compliance=scores,
            execution_metrics=execution_metrics(
                mode.value, fan.results, phase_times, time.perf_counter() - started
            ),
        )
        reports: list[RenderedReport] = []
        if status is not RunStatus.CANCELLED:
            await emitter.emit(EventType.PHASE_STARTED, phase="reports")
            t = time.perf_counter()
            reports = render_reports(result, ctx, self._formats, self._templates)
            phase_times["reports"] = time.perf_counter() - t
            await emitter.emit(EventType.PHASE_COMPLETED, phase="reports", count=len(reports))
        metrics = execution_metrics(mode.value, fan.results, phase_times, time.perf_counter() - started)
        result = result.model_copy(update={"execution_metrics": metrics, "reports": [r.ref for r in reports]})
        await emitter.emit(
            _TERMINAL_EVENTS[status],
            status=status.value,
            total_time_s=round(metrics.total_time, 6),
            **({"reason": cancellation.reason} if status is RunStatus.CANCELLED else {}),
        )
        log.info("run.finished", run_id=run_id, status=status.value, total_s=metrics.total_time)
        return RunOutcome(result, reports)


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
