"""Start-up check for runs a crash left `running`: re-queued once, failed visibly after that."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.events import EventType
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.outcome import final_event, runner_event
from infra_mind.store.db import Database
from infra_mind.store.models import RunState
from infra_mind.store.repositories import RunRepository

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 2
INTERRUPTED_TWICE = "interrupted by a restart twice"
CANCELLED_BEFORE_RESTART = "cancelled by request before a restart"
RECOVERY_BATCH = 500


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


async def recover_interrupted_runs(database: Database, hub: EventHub) -> Recovery:
    """For a runner alone on its database (the embedded mode): every `running` row there is an orphan."""
    recovery = Recovery()
    while True:
        announced = []
        async with database.session() as session:
            runs = RunRepository(session)
            orphans = await runs.in_state(RunState.RUNNING, limit=RECOVERY_BATCH)
            for run in orphans:
                if run.cancel_requested_at is not None:
                    await runs.transition(run.id, RunState.CANCELLED)
                    event = final_event(run.id, RunStatus.CANCELLED, reason=CANCELLED_BEFORE_RESTART)
                    recovery.cancelled.append(run.id)
                elif run.attempts >= MAX_ATTEMPTS:
                    await runs.transition(run.id, RunState.FAILED, error=INTERRUPTED_TWICE)
                    event = final_event(run.id, RunStatus.FAILED, error=INTERRUPTED_TWICE, code="interrupted")
                    recovery.failed.append(run.id)
                else:
                    await runs.transition(run.id, RunState.QUEUED)
                    event = runner_event(run.id, EventType.RUN_QUEUED, reason="re-queued after a restart")
                    recovery.requeued.append(run.id)
                announced.append(await hub.append(session, event))
        for event in announced:
            hub.announce(event)
        if len(orphans) < RECOVERY_BATCH:
            break
    if recovery.requeued or recovery.failed or recovery.cancelled:
        log.warning(
            "jobs.recovered",
            requeued=len(recovery.requeued),
            failed=len(recovery.failed),
            cancelled=len(recovery.cancelled),
        )
    return recovery
