"""Stopping background work without cutting a database transaction in half.

A task cancelled while its aiosqlite connection is mid-transaction can leave that connection checked
out and holding SQLite's write lock until the garbage collector finds it; every writer after it then
waits out the busy timeout. So loops are asked to stop and given time to finish what they hold, and the
few writes a stopping run still makes are finished before the cancel goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from typing import TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")

STOP_GRACE_S = 10.0


async def await_or_cancel(task: asyncio.Task[None], grace_s: float = STOP_GRACE_S) -> None:
    """Waits for a task that was asked to stop; cancels it only if it has not within the grace period."""
    done, _ = await asyncio.wait({task}, timeout=grace_s)
    if not done:
        task.cancel()
    with suppress(asyncio.CancelledError):
        await task


async def uninterrupted(work: Awaitable[T]) -> T:
    """Runs `work` to its end even if the caller is cancelled meanwhile; the cancel is re-raised after."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        # Nobody awaits the work any more: its failure is told here, not lost.
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            log.warning("jobs.uninterrupted_work_failed", error=repr(failure))
        raise
