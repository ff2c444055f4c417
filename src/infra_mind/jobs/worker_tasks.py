"""The run task a Celery worker executes, with bounded retries when the infrastructure fails under it."""

from __future__ import annotations

from typing import Any

import structlog
from celery import Celery
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError

from infra_mind.errors import DatabaseUnavailable
from infra_mind.jobs.celery_app import TASK_NAME
from infra_mind.jobs.worker_runtime import WorkerRuntime
from infra_mind.observability.metrics import Metrics

log = structlog.get_logger(__name__)

# Claiming or storing a run failed because a server was away: worth another try, a few times.
INFRASTRUCTURE_ERRORS = (DatabaseUnavailable, OperationalError, InterfaceError, RedisError, OSError)
MAX_RETRIES = 3
RETRY_BACKOFF_MAX_S = 30


def register_run_task(app: Celery, runtime: WorkerRuntime, metrics: Metrics) -> Any:
    def run_assessment(task: Any, run_id: str) -> str:
        try:
            outcome = runtime.execute(run_id)
        except INFRASTRUCTURE_ERRORS as exc:
            retries = task.request.retries
            if retries >= MAX_RETRIES:
                metrics.task_outcomes.labels("failed").inc()
                log.error("worker.task_failed", run_id=run_id, error=str(exc), retries=retries)
                raise
            metrics.task_outcomes.labels("retried").inc()
            log.warning("worker.task_retried", run_id=run_id, error=str(exc), retry=retries + 1)
            raise task.retry(exc=exc, countdown=min(2**retries, RETRY_BACKOFF_MAX_S)) from exc
        metrics.task_outcomes.labels(outcome.value).inc()
        log.info("worker.task_done", run_id=run_id, outcome=outcome.value)
        return outcome.value

    options = {"bind": True, "max_retries": MAX_RETRIES, "acks_late": True, "reject_on_worker_lost": True}
    return app.task(name=TASK_NAME, **options)(run_assessment)
