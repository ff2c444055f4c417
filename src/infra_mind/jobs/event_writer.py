"""Group commit for run events: events published at the same moment share one transaction.

A run emits an event per agent step; a thousand runs in flight emit thousands a second. One transaction
each would queue them all on the database's writer (SQLite has one). Here a publisher still waits until
its event is stored (so the order of a run's events, and what a subscriber reads, are unchanged), but
while one batch commits, the next one gathers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from infra_mind.domain.events import Event
from infra_mind.jobs.stopping import await_or_cancel

log = structlog.get_logger(__name__)

MAX_BATCH = 500
StoreBatch = Callable[[list[Event]], Awaitable[list[Event]]]


class EventWriter:
    def __init__(self, store: StoreBatch) -> None:
        """`store` commits a batch in one transaction and answers the events as stored."""
        self._store = store
        self._pending: list[tuple[Event, asyncio.Future[Event]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def write(self, event: Event) -> Event:
        """The event as stored (numbered by the database), once its transaction has committed."""
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[Event] = loop.create_future()
        self._pending.append((event, stored))
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._drain(), name="jobs.event_writer")
        assert self._wake is not None
        self._wake.set()
        return await stored

    async def close(self) -> None:
        """Stores what is pending (the batch being committed is never cut off), then stops."""
        if self._task is not None and self._wake is not None:
            self._closing = True
            self._wake.set()
            await await_or_cancel(self._task)
            self._task = None
            self._closing = False
        for _, stored in self._pending:
            if not stored.done():
                stored.set_exception(RuntimeError("the event writer was closed"))
        self._pending.clear()

    async def _drain(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                await self._commit(batch)
            if self._closing:
                return

    async def _commit(self, batch: list[tuple[Event, asyncio.Future[Event]]]) -> None:
        try:
            stored = await self._store([event for event, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                # One bad event (its run deleted meanwhile) must not lose the others: each on its own.
                for item in batch:
                    await self._commit([item])
                return
            log.warning("events.write_failed", run_id=batch[0][0].run_id, error=str(exc))
            _, future = batch[0]
            if not future.done():
                future.set_exception(exc)
            return
        for (_, future), event in zip(batch, stored, strict=True):
            if not future.done():
                future.set_result(event)
