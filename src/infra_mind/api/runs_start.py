"""Queuing a run for the API: the row first, the runner told only once the row is committed."""

from __future__ import annotations

import secrets
from functools import partial

import structlog

from infra_mind.api.dependencies import UnitOfWork
from infra_mind.api.services import Services
from infra_mind.engine.orchestrator import Mode
from infra_mind.errors import Conflict
from infra_mind.store.models import Run
from infra_mind.store.repositories.runs import create_run

log = structlog.get_logger(__name__)


async def start_run(
    work: UnitOfWork,
    services: Services,
    owner_id: str,
    assessment_id: str,
    *,
    mode: str | None,
    idempotency_key: str | None,
    rerun_of: str | None = None,
) -> Run:
    """The new queued run of the owner's assessment; or the run an earlier request with the same
    idempotency key started.

    Raises NotFound (404) when the owner has no such assessment, RunAlreadyActive (409) while it has a
    queued or running run, and Conflict when the key was used for a different request.
    """
    chosen = mode or default_mode(services.settings.sequential_percent)
    run, created = await work.write_once(
        partial(
            create_run,
            owner_id=owner_id,
            assessment_id=assessment_id,
            mode=chosen,
            idempotency_key=idempotency_key,
            rerun_of=rerun_of,
        )
    )
    if not created:
        if (run.assessment_id, run.rerun_of) != (assessment_id, rerun_of) or mode not in (None, run.mode):
            raise Conflict(
                f"Idempotency-Key {idempotency_key!r} was used for another request (run {run.id}); "
                "use a new key for a new request"
            )
        log.info("api.run_replayed", run_id=run.id, assessment_id=assessment_id)
        return run
    run_id = run.id

    async def hand_over() -> None:
        await services.runner.submit(run_id)

    work.after_commit(hand_over)
    log.info("api.run_queued", run_id=run_id, assessment_id=assessment_id, mode=chosen, rerun_of=rerun_of)
    return run


def default_mode(sequential_percent: float) -> str:
    """The rollback switch: that share of the runs that name no mode run their agents one at a time."""
    if sequential_percent and secrets.randbelow(10_000) < sequential_percent * 100:
        return Mode.SEQUENTIAL.value
    return Mode.PARALLEL.value
