"""What a finished run leaves in the database: its data, then its reports, then its status and final event,
each committed on its own, so that reports that cannot be stored (a full disk) leave the data behind.
Each is written by a function of the store's, run whole by Database.run_transaction; here they are made
ready for it."""

from __future__ import annotations

from datetime import UTC, datetime

from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.events import Event, EventType
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.store.models import RunState
from infra_mind.store.repositories.results import AgentResultValues, DumpedResults, RenderedReport
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


def rendered_reports(outcome: RunOutcome) -> list[RenderedReport]:
    return [
        RenderedReport(report.kind, report.format, MEDIA_TYPES[report.format], report.payload)
        for report in outcome.reports
    ]


def run_ending(result: AssessmentResult, *, reports_error: str | None) -> tuple[RunState, str | None]:
    """The state the run ends in, and the error it records."""
    return RunState(result.status.value), _error(result) or reports_error


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
