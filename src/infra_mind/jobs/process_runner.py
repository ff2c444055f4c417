"""The API's side of the embedded runner's process (jobs/runner_process.py): starts it, keeps it running,
hands its events to the API's subscribers and its figures to the API's metrics, and stops it in order.

If the process dies, it is started again after a pause; the new one's recovery re-queues or fails the runs
the dead one left `running`, so none is stuck.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal

import structlog

from infra_mind.config import Settings
from infra_mind.domain.events import Event
from infra_mind.jobs.cancel import request_cancel
from infra_mind.jobs.events import EventHub
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
    ToRunner,
    Wake,
)
from infra_mind.jobs.runner_process import serve_runs
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.models import RunState

log = structlog.get_logger(__name__)

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0
KILL_TIMEOUT_S = 5.0
FIRST_RESTART_DELAY_S = 1.0
LONGEST_RESTART_DELAY_S = 30.0


class RunnerProcessFailed(RuntimeError):
    pass


class _Child:
    """One runner process and the API's end of its pipe."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.reaped: asyncio.Task[None] | None = None


class ProcessRunner:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        metrics: Metrics,
        hub: EventHub,
        *,
        start_timeout_s: float = START_TIMEOUT_S,
        stop_timeout_s: float = STOP_TIMEOUT_S,
    ) -> None:
        """`database` and `hub` are the API's: cancel requests go through that database, and the hub
        replays from it and receives the process's events."""
        self._settings = settings
        self._database = database
        self._metrics = metrics
        self._hub = hub
        self._start_timeout_s = start_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._child: _Child | None = None
        self._restarting: asyncio.Task[None] | None = None
        self._stopping = False
        self._in_flight = 0
        self._wake_sent = False

    @property
    def running(self) -> bool:
        child = self._child
        if child is None or not child.ready.done() or child.ready.cancelled():
            return False
        return child.ready.exception() is None and child.process.is_alive()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def pid(self) -> int | None:
        return self._child.process.pid if self._child is not None else None

    async def start(self) -> None:
        """Returns once the process has recovered interrupted runs and takes queued ones."""
        if self._child is not None:
            return
        self._stopping = False
        await self._spawn()

    async def stop(self) -> None:
        self._stopping = True
        if self._restarting is not None:
            self._restarting.cancel()
            await asyncio.gather(self._restarting, return_exceptions=True)
            self._restarting = None
        child = self._child
        if child is None:
            return
        self._send(Stop())
        await asyncio.to_thread(child.process.join, self._stop_timeout_s)
        if child.process.is_alive():
            log.error("jobs.runner_process_stop_timed_out", pid=child.process.pid)
            child.process.kill()
            await asyncio.to_thread(child.process.join, KILL_TIMEOUT_S)
        self._read(child)
        self._close(child)
        if child.reaped is not None:
            await child.reaped
        self._child = None
        log.info("jobs.runner_process_stopped", exit_code=child.process.exitcode)

    async def submit(self, run_id: str) -> None:
        """Wakes the process; if it is down, its successor takes the queued run when it starts. One wake
        at a time until the process reports its queue again: a busy process that reads its pipe late
        must not fill it, or the API would block on the next write."""
        if not self._wake_sent:
            self._wake_sent = True
            self._send(Wake())

    async def cancel(self, run_id: str) -> str | None:
        """Through the database, so it holds whether or not the process is up; a run executing there is
        also stopped at once rather than at its next poll."""
        status = await request_cancel(self._database, self._hub, run_id)
        if status == RunState.RUNNING.value:
            self._send(CancelRun(run_id))
        return status

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        return self._hub.subscribe(run_id, after_seq)

    async def health(self) -> dict[str, Literal["ok", "failing"]]:
        return {"runner": "ok" if self.running else "failing"}

    async def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        # Not a daemon: the runner renders PDFs in a process pool of its own, which daemons may not have.
        process = context.Process(
            target=serve_runs, args=(self._settings, theirs), name="infra-mind-runs", daemon=False
        )
        await asyncio.to_thread(process.start)
        theirs.close()
        child = self._child = _Child(process, ours)
        self._wake_sent = False
        asyncio.get_running_loop().add_reader(ours.fileno(), self._read, child)
        try:
            await asyncio.wait_for(asyncio.shield(child.ready), self._start_timeout_s)
        except TimeoutError:
            await self._discard(child)
            raise RunnerProcessFailed(
                f"the runner process did not start within {self._start_timeout_s:g} s"
            ) from None
        except RunnerProcessFailed:
            await self._discard(child)
            raise
        log.info("jobs.runner_process_started", pid=process.pid)

    async def _discard(self, child: _Child) -> None:
        """A process that did not start: ended and reaped, and no longer this runner's."""
        if not child.ready.done():
            child.ready.cancel()
        self._close(child)
        if child.process.is_alive():
            child.process.kill()
        await asyncio.to_thread(child.process.join, KILL_TIMEOUT_S)
        if child.reaped is not None:
            await child.reaped
        if self._child is child:
            self._child = None

    def _send(self, message: ToRunner) -> None:
        child = self._child
        if child is None or child.connection.closed:
            return
        try:
            child.connection.send(message)
        except OSError:
            log.warning("jobs.runner_process_unreachable", message=type(message).__name__)

    def _read(self, child: _Child) -> None:
        if child.connection.closed:
            return
        try:
            while child.connection.poll():
                self._handle(child, child.connection.recv())
        except (EOFError, OSError):
            self._gone(child)

    def _handle(self, child: _Child, message: FromRunner) -> None:
        if isinstance(message, Announced):
            self._hub.deliver(message.event)
        elif isinstance(message, QueueCounts):
            self._wake_sent = False
            self._in_flight = message.in_flight
            self._metrics.set_queue(queued=message.queued, in_flight=message.in_flight)
        elif isinstance(message, RunStarted):
            self._metrics.run_started(message.mode)
        elif isinstance(message, RunFinished):
            self._metrics.observe_run(message.observation)
        elif isinstance(message, RunFailed):
            self._metrics.run_failed(message.mode)
        elif isinstance(message, Ready) and not child.ready.done():
            child.ready.set_result(None)
        elif isinstance(message, StartFailed) and not child.ready.done():
            child.ready.set_exception(
                RunnerProcessFailed(f"the runner process did not start: {message.reason}")
            )

    def _gone(self, child: _Child) -> None:
        """The process closed its end: it stopped as asked, or it died."""
        self._close(child)
        child.reaped = asyncio.get_running_loop().create_task(self._reap(child), name="jobs.runner_reap")

    async def _reap(self, child: _Child) -> None:
        await asyncio.to_thread(child.process.join, KILL_TIMEOUT_S)
        code = child.process.exitcode
        if not child.ready.done():
            child.ready.set_exception(
                RunnerProcessFailed(f"the runner process exited with code {code} while starting")
            )
            return
        if child.ready.cancelled() or child.ready.exception() is not None:
            return
        if self._stopping or self._child is not child:
            return
        self._in_flight = 0
        log.error("jobs.runner_process_died", pid=child.process.pid, exit_code=code)
        self._restarting = asyncio.create_task(self._restart(), name="jobs.runner_restart")

    def _close(self, child: _Child) -> None:
        if not child.connection.closed:
            asyncio.get_running_loop().remove_reader(child.connection.fileno())
            child.connection.close()

    async def _restart(self) -> None:
        delay = FIRST_RESTART_DELAY_S
        while not self._stopping:
            await asyncio.sleep(delay)
            try:
                await self._spawn()
                return
            except RunnerProcessFailed as exc:
                log.error("jobs.runner_process_restart_failed", error=str(exc), retry_in_s=delay)
                delay = min(delay * 2, LONGEST_RESTART_DELAY_S)
