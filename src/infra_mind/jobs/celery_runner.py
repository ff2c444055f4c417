"""The API's side of the scale-out runner: runs go to Celery workers; their events come back over Redis.

The API process sends a run's task only after its row is committed (the API's unit of work), cancels
through the database flag the worker polls (and revokes the task, so a worker that has not started it
drops it), and follows events from the database and the relay. It also watches the queue: runs waiting,
workers answering, for `/ready` and the metrics.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Literal

import structlog
from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from infra_mind.domain.events import Event
from infra_mind.errors import BrokerUnavailable
from infra_mind.jobs.cancel import request_cancel
from infra_mind.jobs.celery_app import QUEUE, TASK_NAME
from infra_mind.jobs.events import EventHub
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.relay import RedisEventRelay
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

log = structlog.get_logger(__name__)

CheckState = Literal["ok", "failing"]
MONITOR_EVERY_S = 5.0
PING_TIMEOUT_S = 1.0
SEND_TIMEOUT_S = 10.0


class CeleryRunner:
    def __init__(
        self,
        database: Database,
        hub: EventHub,
        relay: RedisEventRelay,
        celery: Celery,
        metrics: Metrics,
        *,
        monitor_every_s: float = MONITOR_EVERY_S,
    ) -> None:
        self._database = database
        self._hub = hub
        self._relay = relay
        self._celery = celery
        self._metrics = metrics
        self._monitor_every_s = monitor_every_s
        self._monitor: asyncio.Task[None] | None = None
        self._workers = 0
        self._checked_at = 0.0

    @property
    def running(self) -> bool:
        return self._monitor is not None and not self._monitor.done() and self._relay.listening

    async def start(self) -> None:
        await self._relay.start(self._hub.deliver)
        await self._relay.wait_listening(timeout_s=5)
        self._monitor = asyncio.create_task(self._watch(), name="jobs.celery_monitor")
        log.info("jobs.celery_started", queue=QUEUE)

    async def stop(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            with suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        await self._relay.stop()

    async def submit(self, run_id: str) -> None:
        """The task id is the run id: a revoke finds it, and a second send is the same task. Nothing more
        is written: a workers' sweeper sends a run again once it has waited `visibility_timeout_s` since it
        was requested (or last sent again), whether this send reached the broker or not."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await asyncio.to_thread(
                    self._celery.send_task, TASK_NAME, args=[run_id], task_id=run_id, queue=QUEUE
                )
        except (BrokerError, RedisError, OSError, TimeoutError) as exc:
            log.error("jobs.send_failed", run_id=run_id, error=str(exc))
            raise BrokerUnavailable(
                f"run {run_id} is queued, but the broker did not take it ({exc}); a worker's sweeper "
                "sends it again once the broker is back"
            ) from exc
        log.info("jobs.sent", run_id=run_id)

    async def cancel(self, run_id: str) -> str | None:
        status = await request_cancel(self._database, self._hub, run_id)
        if status is not None:
            try:
                await asyncio.to_thread(self._celery.control.revoke, run_id)
            except (BrokerError, RedisError, OSError) as exc:
                log.warning("jobs.revoke_failed", run_id=run_id, error=str(exc))
        log.info("jobs.cancel_requested", run_id=run_id, status=status)
        return status

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
        return self._hub.subscribe(run_id, after_seq)

    async def health(self) -> dict[str, CheckState]:
        """The broker answers, and at least one worker answered a ping lately."""
        if time.monotonic() - self._checked_at > self._monitor_every_s:
            await self._check()
        return {
            "broker": "ok" if await self._relay.ping() else "failing",
            "workers": "ok" if self._workers else "failing",
        }

    async def _watch(self) -> None:
        while True:
            try:
                await self._check()
            except Exception:
                log.exception("jobs.celery_monitor_failed")
            await asyncio.sleep(self._monitor_every_s)

    async def _check(self) -> None:
        self._checked_at = time.monotonic()
        try:
            replies = await asyncio.to_thread(self._celery.control.ping, timeout=PING_TIMEOUT_S)
        except (BrokerError, RedisError, OSError) as exc:
            log.warning("jobs.worker_ping_failed", error=str(exc))
            replies = []
        self._workers = len(replies)
        async with self._database.session() as session:
            queue = RunQueue(session)
            queued, running = await queue.count_queued(), await queue.count_running()
        self._metrics.workers.set(self._workers)
        self._metrics.set_queue(queued=queued, in_flight=running)
