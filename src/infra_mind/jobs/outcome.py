"""What a finished run leaves in the database: its data, then its reports, then its status and final event,
each committed on its own, so that reports that cannot be stored (a full disk) leave the data behind.
Each is a function of a blocking session, run whole by Database.run_transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.events import Event, EventType
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.store.models import RunState
from infra_mind.store.repositories import results, runs
from infra_mind.store.repositories.results import AgentResultValues, RenderedReport
from infra_mind.store.repositories.runs import RESULT_PARTS_STORED_APART
from infra_mind.store.types import JsonText

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
FINAL_EVENTS = {
    RunStatus.COMPLETED: EventType.RUN_COMPLETED,
    RunStatus.PARTIAL: EventType.RUN_COMPLETED,
    RunStatus.FAILED: EventType.RUN_FAILED,
    RunStatus.CANCELLED: EventType.RUN_CANCELLED,
}


@dataclass(frozen=True)
class DumpedResults:
    """A run's data as the database stores it: dumped once, before any write."""

    agents: list[AgentResultValues]
    recommendations: list[dict[str, Any]]
    result: JsonText
    metrics: dict[str, Any]


def dump_results(result: AssessmentResult) -> DumpedResults:
    """About a tenth of a second of CPU for a run in LLM mode: on a thread, off the runner's loop, and
    before the transaction (on SQLite the first write takes the database's one write lock until the
    commit)."""
    return DumpedResults(
        agents=[
            AgentResultValues(
                name, agent.status.value, agent.attempts, agent.duration_s, JsonText(agent.model_dump_json())
            )
            for name, agent in result.agents.items()
        ],
        recommendations=[r.model_dump(mode="json") for r in result.recommendations],
        result=JsonText(result.model_dump_json(exclude=set(RESULT_PARTS_STORED_APART))),
        metrics=result.execution_metrics.model_dump(mode="json"),
    )


def save_results(session: Session, run_id: str, dumped: DumpedResults) -> None:
    """Agent results, ranked recommendations and the rest of the result JSON: the run's data, which stays
    whatever then happens to its reports (they can be rendered again from it)."""
    # The recommendations first: their items are dumped before their first statement.
    results.save_recommendations(session, run_id, dumped.recommendations)
    results.save_agent_results(session, run_id, dumped.agents)
    runs.store_result(session, run_id, result=dumped.result, metrics=dumped.metrics)


def rendered_reports(outcome: RunOutcome) -> list[RenderedReport]:
    return [
        RenderedReport(report.kind, report.format, MEDIA_TYPES[report.format], report.payload)
        for report in outcome.reports
    ]


def finish_run(session: Session, run_id: str, result: AssessmentResult, *, reports_error: str | None) -> None:
    runs.transition(session, run_id, RunState(result.status.value), error=_error(result) or reports_error)


def final_event(run_id: str, status: RunStatus, **data: object) -> Event:
    """The runner's own final event, when the pipeline could not send one."""
    return runner_event(run_id, FINAL_EVENTS[status], status=status.value, **data)


def runner_event(run_id: str, type_: EventType, **data: object) -> Event:
    return Event(
        run_id=run_id,
        seq=1,  # the database numbers it when it is stored
        type=type_,
        at=datetime.now(UTC),
        data=data,
    )


def _error(result: AssessmentResult) -> str | None:
    if result.status is not RunStatus.FAILED:
        return None
    quorum = result.quorum
    return (
        f"quorum not met: {quorum.get('completed')} of {quorum.get('total')} agents completed "
        f"(at least {quorum.get('min_ratio')} needed, required: {quorum.get('required') or 'none'})"
    )
