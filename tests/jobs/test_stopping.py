from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from infra_mind.jobs.stopping import await_or_cancel, uninterrupted


async def test_uninterrupted_work_finishes_before_the_callers_cancel_goes_on() -> None:
    finished: list[str] = []

    async def store() -> None:
        await asyncio.sleep(0.05)
        finished.append("stored")

    caller = asyncio.ensure_future(uninterrupted(store()))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == ["stored"]


async def test_a_failure_after_the_callers_cancel_is_logged_not_lost() -> None:
    async def store() -> None:
        await asyncio.sleep(0.02)
        raise OSError("disk full")

    with capture_logs() as logs:
        caller = asyncio.ensure_future(uninterrupted(store()))
        await asyncio.sleep(0.005)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
    assert [e["event"] for e in logs] == ["jobs.uninterrupted_work_failed"]
    assert "disk full" in logs[0]["error"]


async def test_a_loop_that_stops_when_asked_is_not_cancelled_and_one_that_hangs_is() -> None:
    stop = asyncio.Event()
    cancelled: list[bool] = []

    async def polite() -> None:
        await stop.wait()

    async def stuck() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    task = asyncio.ensure_future(polite())
    stop.set()
    await await_or_cancel(task, grace_s=1)
    assert task.done()
    assert not task.cancelled()
    hung = asyncio.ensure_future(stuck())
    await await_or_cancel(hung, grace_s=0.05)
    assert cancelled == [True]
