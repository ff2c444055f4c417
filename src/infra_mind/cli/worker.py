"""`infra-mind worker`: a Celery worker that executes runs; `infra-mind worker-healthcheck` for supervisors.

Celery and the engine are imported when a command runs, so other commands do not pay for them."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from infra_mind.cli.settings import EXIT_INVALID, settings_or_exit
from infra_mind.config import Settings
from infra_mind.errors import ConfigurationError, DatabaseUnavailable

EXIT_UNHEALTHY = 1
ALIVE_MAX_AGE_S = 30.0


def worker(
    concurrency: Annotated[
        int | None, typer.Option(min=1, max=1000, help="runs at once; default INFRA_MIND_WORKER_CONCURRENCY")
    ] = None,
    name: Annotated[str | None, typer.Option(help="node name; default infra-mind@HOSTNAME")] = None,
) -> None:
    """Start a Celery worker that executes queued runs (INFRA_MIND_RUNNER=celery)."""
    import asyncio

    from prometheus_client import start_http_server

    from infra_mind.jobs.celery_app import QUEUE, TASK_NAME, build_celery
    from infra_mind.jobs.interpreter import yield_cpu_to_requests
    from infra_mind.jobs.worker_runtime import WorkerRuntime
    from infra_mind.jobs.worker_tasks import register_run_task
    from infra_mind.observability.heap import freeze_startup_heap
    from infra_mind.observability.metrics import Metrics
    from infra_mind.store.migrate import upgrade_to_head

    console = Console(stderr=True, soft_wrap=True)  # one line per error, for log collectors
    settings = settings_or_exit(console)
    try:
        app = build_celery(settings)
        asyncio.run(upgrade_to_head(settings.database_url))
    except ConfigurationError as exc:
        console.print(Text.assemble(("invalid configuration", "red"), f": {exc.message}"))
        raise typer.Exit(EXIT_INVALID) from exc
    except DatabaseUnavailable as exc:
        console.print(Text.assemble(("database unavailable", "red"), f": {exc.message}"))
        raise typer.Exit(EXIT_UNHEALTHY) from exc
    metrics = Metrics()
    name = name or node_name()

    def send(run_id: str) -> None:
        app.send_task(TASK_NAME, args=[run_id], task_id=run_id, queue=QUEUE)

    runtime = WorkerRuntime(settings, metrics, name=name, send=send, alive_path=alive_path(settings, name))
    register_run_task(app, runtime, metrics)
    if settings.worker_metrics_port:
        try:
            start_http_server(settings.worker_metrics_port, registry=metrics.registry)
        except OSError as exc:
            console.print(
                Text.assemble(
                    ("invalid configuration", "red"),
                    f": INFRA_MIND_WORKER_METRICS_PORT={settings.worker_metrics_port}: {exc.strerror}; "
                    "choose a free port, or 0 for no metrics endpoint",
                )
            )
            raise typer.Exit(EXIT_INVALID) from exc
    yield_cpu_to_requests(settings.runner_niceness)
    runtime.start()
    freeze_startup_heap()
    slots = concurrency or settings.worker_concurrency
    try:
        app.worker_main(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={slots}",
                f"--queues={QUEUE}",
                f"--hostname={name}",
                f"--loglevel={settings.log_level}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        runtime.stop()


def worker_healthcheck(
    timeout: Annotated[
        float, typer.Option(min=0.1, max=60, help="seconds to wait for the worker's reply")
    ] = 5.0,
    name: Annotated[
        str | None, typer.Option(help="the worker's node name; default infra-mind@HOSTNAME")
    ] = None,
) -> None:
    """Exit 0 when this host's worker answers a ping through the broker and its run loop is responsive."""
    from infra_mind.jobs.celery_app import build_celery

    console = Console(stderr=True)
    settings = settings_or_exit(console)
    name = name or node_name()
    path = alive_path(settings, name)
    age = time.time() - path.stat().st_mtime if path.exists() else None
    if age is None or age > ALIVE_MAX_AGE_S:
        console.print(Text.assemble(("unhealthy", "red"), f": the run loop has not checked in ({path})"))
        raise typer.Exit(EXIT_UNHEALTHY)
    replies = build_celery(settings).control.ping(destination=[name], timeout=timeout)
    if not any(name in reply for reply in replies):
        console.print(Text.assemble(("unhealthy", "red"), f": {name} did not answer a ping via the broker"))
        raise typer.Exit(EXIT_UNHEALTHY)
    console.print(Text.assemble(("healthy", "green"), f": {name}"))


def node_name() -> str:
    from infra_mind.jobs.celery_app import WORKER_NAME_PREFIX

    return f"{WORKER_NAME_PREFIX}@{socket.gethostname()}"


def alive_path(settings: Settings, name: str) -> Path:
    from infra_mind.auth.secret import default_data_dir

    directory = settings.data_dir or default_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"worker-{re.sub(r'[^A-Za-z0-9._-]', '_', name)}.alive"
