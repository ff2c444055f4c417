"""Wires the embedded runner: its event hub is the pipeline's bus, so every event reaches the database."""

from __future__ import annotations

from infra_mind.config import Settings
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.pipeline import Pipeline
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.runner import InProcessRunner
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
