"""The Celery application of the scale-out runner: one task per run, acknowledged only once it has ended.

Built by the API (to send and revoke tasks) and by `infra-mind worker` (to execute them); never a module
global. The choices, each against a documented Celery pitfall:
- late acknowledgement, rejected on worker loss, prefetch 1: a run a dead worker held is delivered again,
  and a worker never hoards runs another could start;
- the broker's visibility timeout above the hard time limit: a healthy long run is not delivered twice;
- long-running tasks cancelled when the broker connection is lost: their messages come back, and the run
  lease (jobs/worker_runtime.py) decides who executes a run, so no run executes twice;
- connection retries at start-up, so a worker started before Redis waits for it.
"""

from __future__ import annotations

from celery import Celery

from infra_mind.config import Settings
from infra_mind.errors import ConfigurationError

TASK_NAME = "infra_mind.run_assessment"
QUEUE = "infra-mind-runs"
WORKER_NAME_PREFIX = "infra-mind"


def build_celery(settings: Settings) -> Celery:
    if not settings.broker_url.startswith(("redis://", "rediss://")):
        scheme, separator, _ = settings.broker_url.partition("://")
        raise ConfigurationError(
            "INFRA_MIND_BROKER_URL must be a redis:// URL (run events use its pub/sub); "
            + (f"got a {scheme}:// URL" if separator else "got a URL without a scheme")
        )
    if settings.visibility_timeout_s <= settings.run_time_limit_s:
        raise ConfigurationError(
            "INFRA_MIND_VISIBILITY_TIMEOUT_S must be above INFRA_MIND_RUN_TIME_LIMIT_S "
            f"({settings.visibility_timeout_s} <= {settings.run_time_limit_s:g}): a healthy run would be "
            "delivered twice"
        )
    if settings.run_soft_time_limit_s >= settings.run_time_limit_s:
        raise ConfigurationError(
            "INFRA_MIND_RUN_SOFT_TIME_LIMIT_S must be below INFRA_MIND_RUN_TIME_LIMIT_S "
            f"({settings.run_soft_time_limit_s:g} >= {settings.run_time_limit_s:g})"
        )
    app = Celery("infra_mind", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_routes={TASK_NAME: {"queue": QUEUE}},
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
        task_send_sent_event=True,
    )
    return app
