"""Cancel requests reach the runs a process executes through the database, whichever process took them:
one query per poll interval for all of them, not one per run."""

from __future__ import annotations

import asyncio

import structlog

from infra_mind.engine.orchestrator import Cancellation
from infra_mind.jobs.queue import RunQueue
from infra_mind.jobs.stopping import await_or_cancel
from infra_mind.store.db import Database

log = structlog.get_logger(__name__)

CANCELLED_BY_REQUEST = "cancelled by request"
QUERY_CHUNK = 500


class CancelWatcher:
    def __init__(self, database: Database, *, poll_interval_s: float) -> None:
        self._database = database
        self._poll_interval_s = poll_interval_s
        self._runs: dict[str, Cancellation] = {}
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def watch(self, run_id: str, cancellation: Cancellation) -> None:
        """From the loop the run executes on; the polling starts with the first run watched."""
        self._runs[run_id] = cancellation
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll(), name="jobs.cancel_watcher")

    def forget(self, run_id: str) -> None:
        self._runs.pop(run_id, None)

    async def close(self) -> None:
        """Stops polling once the query in progress, if any, has finished."""
        if self._task is not None:
            self._stop.set()
            await await_or_cancel(self._task)
            self._task = None
            self._stop = asyncio.Event()

    async def _poll(self) -> None:
        while self._runs:
            # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow a cancel that races the wake-up.
            stopping = asyncio.ensure_future(self._stop.wait())
            try:
                await asyncio.wait({stopping}, timeout=self._poll_interval_s)
            finally:
                stopping.cancel()
            if self._stop.is_set():
                return
            try:
                await self._check()
            except Exception:
                log.exception("jobs.cancel_check_failed", runs=len(self._runs))

    async def _check(self) -> None:
        run_ids = [run_id for run_id, c in self._runs.items() if not c.cancelled]
        for start in range(0, len(run_ids), QUERY_CHUNK):
            async with self._database.session() as session:
                asked = await RunQueue(session).cancel_requested_among(run_ids[start : start + QUERY_CHUNK])
            for run_id in asked:
                cancellation = self._runs.get(run_id)
                if cancellation is not None:
                    cancellation.cancel(CANCELLED_BY_REQUEST)
