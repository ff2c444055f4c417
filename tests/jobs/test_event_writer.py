from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import event

from infra_mind.domain.events import Event, EventType
from infra_mind.jobs import EventHub
from infra_mind.store.db import Database
from infra_mind.store.models import User
from infra_mind.store.repositories import EventRepository

QueueRun = Callable[..., Awaitable[str]]


def progress(run_id: str, n: int) -> Event:
    return Event(
        run_id=run_id,
        seq=1,
        type=EventType.AGENT_PROGRESS,
        at=datetime.now(UTC),
        agent=f"agent_{n % 3}",
        data={"pct": n},
    )


async def test_events_published_together_share_transactions_and_keep_their_order(
    db: Database, owner: User, queue_run: QueueRun
) -> None:
    run_ids = [await queue_run() for _ in range(4)]
    hub = EventHub(db)
    for run_id in run_ids:
        hub.hold_terminal(run_id)
    commits = 0

    def count(_: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(db.engine.sync_engine, "commit", count)
    try:
        await asyncio.gather(*(hub.publish(progress(run_id, n)) for n in range(50) for run_id in run_ids))
    finally:
        event.remove(db.engine.sync_engine, "commit", count)
        await hub.close()
    assert commits < 20
    async with db.session() as session:
        for run_id in run_ids:
            stored = await EventRepository(session).since(owner.id, run_id)
            assert [e.seq for e in stored] == list(range(1, 51))
            assert [e.data["pct"] for e in stored] == list(range(50))


async def test_one_bad_event_does_not_lose_the_others(db: Database, owner: User, queue_run: QueueRun) -> None:
    run_id = await queue_run()
    hub = EventHub(db)
    hub.hold_terminal(run_id)
    hub.hold_terminal("gone")
    try:
        results = await asyncio.gather(
            hub.publish(progress(run_id, 0)),
            hub.publish(progress("gone", 1)),
            hub.publish(progress(run_id, 2)),
            return_exceptions=True,
        )
    finally:
        await hub.close()
    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], Exception)
    async with db.session() as session:
        assert [e.data["pct"] for e in await EventRepository(session).since(owner.id, run_id)] == [0, 2]
