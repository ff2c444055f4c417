"""Queuing a run for the API: the row first, the runner told only once the row is committed."""

from __future__ import annotations

import structlog

from infra_mind.api.dependencies import UnitOfWork
from infra_mind.api.services import Services
from infra_mind.errors import Conflict
from infra_mind.store.models import Assessment, Run
from infra_mind.store.repositories import RunRepository

log = structlog.get_logger(__name__)


async def start_run(
    work: UnitOfWork,
    services: Services,
    assessment: Assessment,
    *,
    mode: str,
    idempotency_key: str | None,
    rerun_of: str | None = None,
) -> Run:
    """The new queued run; or the run an earlier request with the same idempotency key started.

    Raises RunAlreadyActive (409) while the assessment has a queued or running run, and Conflict when the
    key was used for a different request.
    """
    run, created = await RunRepository(work.session).create(
        assessment, mode=mode, idempotency_key=idempotency_key, rerun_of=rerun_of
    )
    if not created:
        if (run.assessment_id, run.mode, run.rerun_of) != (assessment.id, mode, rerun_of):
            raise Conflict(
                f"Idempotency-Key {idempotency_key!r} was used for another request (run {run.id}); "
                "use a new key for a new request"
            )
        log.info("api.run_replayed", run_id=run.id, assessment_id=assessment.id)
        return run
    run_id = run.id

    async def hand_over() -> None:
        await services.runner.submit(run_id)

    work.after_commit(hand_over)
    log.info("api.run_queued", run_id=run_id, assessment_id=assessment.id, mode=mode, rerun_of=rerun_of)
    return run
