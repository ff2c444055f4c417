"""A stored run as the API shows it: its links, and its progress folded from its events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.api.assessment_schemas import RunAccepted, RunLinks, RunOut
from infra_mind.domain.events import Event
from infra_mind.domain.run_progress import FINISHED_AGENT_STATES, AgentProgress, AgentState, fold_progress
from infra_mind.jobs.events import event_from_row
from infra_mind.store.models import Run
from infra_mind.store.repositories import EventRepository, ResultRepository
from infra_mind.store.repositories.runs import TERMINAL_STATES

API_PREFIX = "/api/v1"
EVENT_PAGE = 1000


def run_links(run_id: str) -> RunLinks:
    base = f"{API_PREFIX}/runs/{run_id}"
    return RunLinks(
        self=base,
        events=f"{base}/events",
        cancel=f"{base}/cancel",
        rerun_failed=f"{base}/rerun-failed",
        recommendations=f"{base}/recommendations",
        reports=f"{base}/reports",
    )


def run_accepted(run: Run) -> RunAccepted:
    return RunAccepted(
        id=run.id,
        assessment_id=run.assessment_id,
        status=run.status,
        mode=run.mode,
        rerun_of=run.rerun_of,
        links=run_links(run.id),
    )


async def stored_events(session: AsyncSession, run: Run) -> list[Event]:
    """Every stored event of the run, in order, read a page at a time."""
    events = EventRepository(session)
    rows = []
    after = 0
    while True:
        page = await events.since(run.owner_id, run.id, after, limit=EVENT_PAGE)
        rows += page
        if len(page) < EVENT_PAGE:
            return [event_from_row(row) for row in rows]
        after = page[-1].seq


async def run_view(session: AsyncSession, run: Run, agent_names: tuple[str, ...]) -> RunOut:
    progress = fold_progress(await stored_events(session, run), agent_names)
    agents = progress.agents
    finished = run.status in TERMINAL_STATES
    if finished:
        agents = await _with_stored_results(session, run, agents)
    return RunOut(
        **run_accepted(run).model_dump(),
        requested_at=run.requested_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        error=run.error,
        phase=progress.phase,
        progress_pct=100.0 if finished else progress.pct,
        agents=agents,
        last_event_id=run.last_event_seq,
        metrics=run.metrics,
    )


async def _with_stored_results(
    session: AsyncSession, run: Run, agents: list[AgentProgress]
) -> list[AgentProgress]:
    """A finished run's stored results are the record; an agent that never finished was cancelled."""
    outcomes = await ResultRepository(session).agent_outcomes(run.owner_id, run.id)
    stored = {outcome.agent: outcome for outcome in outcomes}
    shown = []
    for folded in agents:
        row = stored.get(folded.name)
        agent = folded
        if row is not None:
            agent = folded.model_copy(
                update={
                    "state": AgentState(row.status),
                    "attempts": row.attempts,
                    "duration_s": row.duration_s,
                    "error": row.error,
                }
            )
        elif folded.state not in FINISHED_AGENT_STATES:
            agent = folded.model_copy(update={"state": AgentState.CANCELLED})
        shown.append(agent)
    return shown
