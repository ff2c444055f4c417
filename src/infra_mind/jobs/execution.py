"""Executing one claimed run, for any runner: the pipeline, then results, status and final event stored.

A run never stays `running` because of what happens here: the pipeline's failure, the store's failure and
a time limit all end it with the reason. Cancel requests reach it through the database, so a cancel sent
to any process stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from typing import Protocol

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.orchestrator import Cancellation, Mode
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.errors import InfraMindError, NotFound
from infra_mind.jobs.cancel_watcher import CancelWatcher
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.outcome import dump_results, final_event, rendered_reports, run_ending
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.stopping import uninterrupted
from infra_mind.observability.metrics import RunMetrics
from infra_mind.store.db import Database
from infra_mind.store.models import Assessment, RunState
from infra_mind.store.repositories import ResultRepository, RunRepository
from infra_mind.store.repositories.results import save_rendered_reports, save_results
from infra_mind.store.repositories.runs import ClaimedRun, transition

log = structlog.get_logger(__name__)


class RunsAssessments(Protocol):
    """What a runner needs of the engine's Pipeline (built with the runner's EventHub as its bus)."""

    async def run(
        self,
        spec: AssessmentInput,
        *,
        run_id: str,
        mode: Mode,
        cancellation: Cancellation | None,
        reuse: Mapping[str, AgentResult] | None = None,
    ) -> RunOutcome: ...


class RunExecutor:
    def __init__(
        self,
        database: Database,
        hub: EventHub,
        pipeline: RunsAssessments,
        metrics: RunMetrics,
        *,
        poll_interval_s: float = 1.0,
    ) -> None:
        self._database = database
        self._hub = hub
        self._pipeline = pipeline
        self._metrics = metrics
        self._cancels = CancelWatcher(database, poll_interval_s=poll_interval_s)

    @property
    def hub(self) -> EventHub:
        return self._hub

    async def close(self) -> None:
        await self._cancels.close()
        await self._hub.close()

    async def execute(self, claimed: ClaimedRun, cancellation: Cancellation) -> None:
        """Runs the claimed (`running`) run to its end. A CancelledError (the runner stopping) propagates
        and leaves the run `running` for the caller to re-queue."""
        run_id, mode = claimed.run_id, claimed.mode
        # This task's own context: every log line of the run, agents' included, carries its id.
        structlog.contextvars.bind_contextvars(run_id=run_id)
        self._hub.hold_terminal(run_id)
        self._cancels.watch(run_id, cancellation)
        log.info("jobs.run_started", mode=mode, rerun_of=claimed.rerun_of)
        try:
            spec, version = await self._load_input(claimed.assessment_id)
            reuse = await self._reusable_results(claimed, version)
            outcome = await self._pipeline.run(
                spec, run_id=run_id, mode=Mode(mode), cancellation=cancellation, reuse=reuse
            )
            # A run whose outcome is being stored when the runner stops ends stored, not re-queued.
            await uninterrupted(self._store(run_id, outcome))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self.fail(run_id, mode, exc)
        finally:
            self._cancels.forget(run_id)
            self._hub.take_terminal(run_id)

    async def _store_reports(self, run_id: str, outcome: RunOutcome) -> str | None:
        """Reports that cannot be stored do not fail the run: its data is stored, and a download renders
        them again; the run's error says what happened."""
        try:
            await self._database.run_transaction(
                partial(save_rendered_reports, run_id=run_id, reports=rendered_reports(outcome))
            )
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            log.error("jobs.reports_not_stored", error=reason)
            return f"the reports were not stored ({reason}); each is rendered again when downloaded"
        return None

    async def fail(self, run_id: str, mode: str, exc: BaseException | str) -> None:
        """The run ends `failed` with the reason, never left running (a no-op once it has ended)."""
        error = exc if isinstance(exc, str) else exc.message if isinstance(exc, InfraMindError) else repr(exc)
        if isinstance(exc, BaseException):
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
            self._metrics.run_failed(mode)

    async def _load_input(self, assessment_id: str) -> tuple[AssessmentInput, int]:
        """The assessment's current input and its version."""
        async with self._database.session() as session:
            assessment = await session.get(Assessment, assessment_id)
            if assessment is None:
                raise NotFound(f"assessment {assessment_id} does not exist")
            return parse_input(assessment.input), assessment.version

    async def _reusable_results(self, claimed: ClaimedRun, version: int) -> dict[str, AgentResult]:
        """A re-run keeps the completed agents of the run it repeats, if that run analysed this same input."""
        if claimed.rerun_of is None:
            return {}
        async with self._database.session() as session:
            source = await RunRepository(session).load(claimed.rerun_of)
            if source is None or source.assessment_version != version:
                log.warning(
                    "jobs.rerun_reuses_nothing",
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
                log.warning("jobs.rerun_result_unreadable", agent=agent, error=str(exc))
        log.info("jobs.rerun_reuses", rerun_of=claimed.rerun_of, agents=sorted(reuse))
        return reuse

    async def _store(self, run_id: str, outcome: RunOutcome) -> None:
        status = outcome.result.status
        dumped = await asyncio.to_thread(dump_results, outcome.result)
        await self._database.run_transaction(partial(save_results, run_id=run_id, dumped=dumped))
        reports_error = await self._store_reports(run_id, outcome)
        held = self._hub.take_terminal(run_id) or final_event(run_id, status)
        state, error = run_ending(outcome.result, reports_error=reports_error)
        # Counted before the commit: once it lands, a watcher may stop the runner at any moment.
        self._metrics.record_run(outcome.result)
        finish = partial(transition, run_id=run_id, to=state, error=error)
        self._hub.announce(await self._hub.append_after(finish, held))
        log.info("jobs.run_finished", status=status.value)
