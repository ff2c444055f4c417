"""Wires the runners: each event hub is its pipeline's bus (every event reaches the database), and the
API's hub replays from the database what the runner's relay does not bring live."""

from __future__ import annotations

from infra_mind.config import Settings
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs.celery_app import build_celery
from infra_mind.jobs.celery_runner import CeleryRunner
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.process_runner import ProcessRunner
from infra_mind.jobs.relay import RedisEventRelay
from infra_mind.jobs.runner import InProcessRunner
from infra_mind.jobs.threaded_runner import ThreadedRunner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient
from infra_mind.observability.metrics import Metrics
from infra_mind.reports.render import FORMATS
from infra_mind.store.db import Database


def build_in_process_runner(
    settings: Settings,
    database: Database,
    knowledge: Knowledge,
    metrics: Metrics,
    *,
    report_formats: tuple[str, ...] = FORMATS,
    max_concurrent_runs: int = 4,
    poll_interval_s: float = 1.0,
    llm: LlmClient | None = None,
) -> tuple[InProcessRunner, Pipeline]:
    """The runner and its pipeline; the caller closes the pipeline (`aclose()`) after `runner.stop()`.

    Every report format is rendered by default (PDF too), since the API serves each of them.
    """
    hub = EventHub(database, poll_interval_s=poll_interval_s)
    pipeline = build_pipeline(settings, knowledge, hub, report_formats, llm=llm)
    runner = InProcessRunner(
        database,
        hub,
        pipeline,
        metrics,
        max_concurrent_runs=max_concurrent_runs,
        poll_interval_s=poll_interval_s,
    )
    return runner, pipeline


def build_celery_runner(settings: Settings, database: Database, metrics: Metrics) -> CeleryRunner:
    """The API's runner in scale-out mode: Celery workers execute; events come back over Redis."""
    relay = RedisEventRelay(settings.broker_url)
    hub = EventHub(database, poll_interval_s=settings.runner_poll_interval_s, relay=relay)
    return CeleryRunner(database, hub, relay, build_celery(settings), metrics)


def build_threaded_runner(
    settings: Settings, database: Database, knowledge: Knowledge, metrics: Metrics
) -> ThreadedRunner:
    """The embedded runner on a thread of the API's process: runs on a loop of their own, events to the
    API's hub."""
    hub = EventHub(database, poll_interval_s=settings.runner_poll_interval_s)
    return ThreadedRunner(
        settings,
        database,
        knowledge,
        metrics,
        hub,
        report_formats=tuple(dict.fromkeys(settings.report_formats)),
        max_concurrent_runs=settings.max_concurrent_runs,
        poll_interval_s=settings.runner_poll_interval_s,
    )


def build_process_runner(settings: Settings, database: Database, metrics: Metrics) -> ProcessRunner:
    """The embedded runner of `infra-mind serve` by default: runs execute in a process of its own."""
    hub = EventHub(database, poll_interval_s=settings.runner_poll_interval_s)
    return ProcessRunner(settings, database, metrics, hub)
