"""A cancel request, for any runner: a queued run ends at once; a running one is flagged in the database,
and whichever process executes it stops it at its next check."""

from __future__ import annotations

from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.events import Event
from infra_mind.jobs.cancel_watcher import CANCELLED_BY_REQUEST
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.outcome import final_event
from infra_mind.jobs.queue import RunQueue
from infra_mind.store.db import Database
from infra_mind.store.models import RunState
from infra_mind.store.repositories import RunRepository
from infra_mind.store.repositories.runs import TERMINAL_STATES


async def request_cancel(database: Database, hub: EventHub, run_id: str) -> str | None:
    """The run's status after the request (`running` while it winds down), or None for an unknown run."""
    announced: Event | None = None
    async with database.session() as session:
        run = await RunRepository(session).load(run_id)
        if run is None:
            return None
        if run.status in TERMINAL_STATES:
            return run.status
        queue = RunQueue(session)
        await queue.request_cancel(run_id)
        status = RunState.RUNNING.value
        if run.status == RunState.QUEUED and await queue.move(run_id, RunState.QUEUED, RunState.CANCELLED):
            status = RunState.CANCELLED.value
            event = final_event(run_id, RunStatus.CANCELLED, reason=CANCELLED_BY_REQUEST)
            announced = await hub.append(session, event)
    if announced is not None:
        hub.announce(announced)
    return status
