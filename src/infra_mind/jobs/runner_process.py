"""The embedded runner's own process: where `infra-mind serve` executes runs by default.

A run computes for about a second of CPU; in the API's process that computation shares the interpreter
lock with every request, which then waits its turn at each await. In a process of its own, at a lower CPU
priority, the runner leaves the API's interpreter to requests. It takes runs from the same database queue
as a thread would, and tells the API process over a pipe what the API needs live: each stored event (for
the SSE subscribers), the run metrics and its queue counts. The API tells it to wake, cancel and stop.
"""

from __future__ import annotations

import asyncio
import os
import signal
from multiprocessing.connection import Connection

import structlog

from infra_mind.config import Settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.events import Event
from infra_mind.engine.factory import build_pipeline
from infra_mind.jobs.compute_thread import EventsToLoop, PipelineOnThread, cancel_leftovers
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.interpreter import favour_io_over_compute, yield_cpu_to_requests
from infra_mind.jobs.loop_thread import LoopThread
from infra_mind.jobs.runner import InProcessRunner
from infra_mind.jobs.runner_messages import (
    Announced,
    CancelRun,
    FromRunner,
    QueueCounts,
    Ready,
    RunFailed,
    RunFinished,
    RunStarted,
    StartFailed,
    Stop,
    Wake,
)
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient, build_llm
from infra_mind.logs import configure_logging
from infra_mind.observability.heap import freeze_startup_heap
from infra_mind.observability.metrics import RunObservation
from infra_mind.store.db import Database

log = structlog.get_logger(__name__)


def serve_runs(settings: Settings, connection: Connection) -> None:
    """The process's entry point. Ctrl-C in a terminal reaches the whole process group: the API process
    handles it and stops this one in order, so this one ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.log_level, json=settings.log_json)
    # On a SQLite file the runs' transactions go to a writer process, started before this process
    # lowers its priority: the write lock the API's posts wait for is held for the writes alone.
    database = Database.for_runs(settings, writer_process=True)
    yield_cpu_to_requests(settings.runner_niceness)
    # The runner's loop gets the interpreter lock back soon after each database answer, however busy
    # the compute thread is.
    favour_io_over_compute()
    asyncio.run(_serve(settings, connection, database))


class ApiLink:
    """The runner's event relay and metrics, both forwarded to the API process."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def post(self, message: FromRunner) -> None:
        try:
            self._connection.send(message)
        except OSError:
            # The API process is gone; the reader sees the pipe closed and stops this process.
            log.warning("runner_process.api_gone", message=type(message).__name__)

    def send(self, event: Event) -> None:
        self.post(Announced(event))

    def run_started(self, mode: str) -> None:
        self.post(RunStarted(mode))

    def run_failed(self, mode: str) -> None:
        self.post(RunFailed(mode))

    def set_queue(self, *, queued: int, in_flight: int) -> None:
        self.post(QueueCounts(queued, in_flight))

    def record_run(self, result: AssessmentResult) -> None:
        self.post(RunFinished(RunObservation.of(result)))


async def _serve(settings: Settings, connection: Connection, database: Database) -> None:
    link = ApiLink(connection)
    llm = build_llm(settings)
    compute = LoopThread("runner-compute")
    compute.start()
    try:
        try:
            runner = await _started_runner(settings, database, link, llm, compute)
        except Exception as exc:
            log.exception("runner_process.start_failed")
            link.post(StartFailed(str(exc) or type(exc).__name__))
            return
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
        loop.add_reader(connection.fileno(), _read_messages, connection, runner, stopping)
        link.post(Ready())
        log.info("runner_process.ready", pid=os.getpid(), niceness=os.nice(0))
        try:
            await stopping.wait()
        finally:
            loop.remove_reader(connection.fileno())
            await runner.stop()
    finally:
        await compute.call(_wound_down(llm))
        compute.stop()
        await database.dispose()
        connection.close()


async def _wound_down(llm: LlmClient) -> None:
    """On the compute loop, where the LLM client's connections live."""
    await cancel_leftovers()
    await llm.aclose()


async def _started_runner(
    settings: Settings, database: Database, link: ApiLink, llm: LlmClient, compute: LoopThread
) -> InProcessRunner:
    knowledge = await asyncio.to_thread(Knowledge.load, settings.knowledge_dir)
    hub = EventHub(database, poll_interval_s=settings.runner_poll_interval_s, relay=link)
    formats = tuple(dict.fromkeys(settings.report_formats))
    bus = EventsToLoop(hub, asyncio.get_running_loop())
    pipeline = build_pipeline(settings, knowledge, bus, formats, llm=llm)
    runner = InProcessRunner(
        database,
        hub,
        PipelineOnThread(pipeline, compute),
        link,
        max_concurrent_runs=settings.max_concurrent_runs,
        poll_interval_s=settings.runner_poll_interval_s,
    )
    # This is the process's start-up: the knowledge base and pipeline live as long as it does.
    freeze_startup_heap()
    await runner.start()
    return runner


def _read_messages(connection: Connection, runner: InProcessRunner, stopping: asyncio.Event) -> None:
    try:
        while connection.poll():
            message = connection.recv()
            if isinstance(message, Wake):
                runner.wake()
            elif isinstance(message, CancelRun):
                runner.cancel_local(message.run_id)
            elif isinstance(message, Stop):
                stopping.set()
    except (EOFError, OSError):
        log.warning("runner_process.api_gone")
        stopping.set()
    if stopping.is_set():
        asyncio.get_running_loop().remove_reader(connection.fileno())
