from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from infra_mind.errors import Conflict
from infra_mind.store.models import EventRow, Run
from infra_mind.store.types import utc_now


class NewEvent(NamedTuple):
    run_id: str
    type: str
    data: dict[str, Any]


class StoredEvent(NamedTuple):
    run_id: str
    seq: int
    type: str
    data: dict[str, Any]
    created_at: datetime


class EventRepository:
    """A run's events, numbered 1, 2, 3 … without gaps or duplicates, for SSE replay."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, run_id: str, type: str, data: dict[str, Any]) -> StoredEvent:
        (stored,) = await self.append_many([NewEvent(run_id, type, data)])
        return stored

    async def append_many(self, events: list[NewEvent]) -> list[StoredEvent]:
        return await self.session.run_sync(append_events, events)

    async def since(
        self, owner_id: str, run_id: str, after_seq: int = 0, *, limit: int = 1000
    ) -> list[EventRow]:
        """The owner's run's events with seq > after_seq (the SSE Last-Event-ID), in order."""
        query = (
            select(EventRow)
            .join(Run, Run.id == EventRow.run_id)
            .where(EventRow.run_id == run_id, Run.owner_id == owner_id, EventRow.seq > after_seq)
            .order_by(EventRow.seq)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())


def append_events(session: Session, events: list[NewEvent]) -> list[StoredEvent]:
    """The events in their order, numbered after each run's last: one statement counts them on every run,
    one inserts them all. A plain function of a blocking session, so that a SQLite writer thread runs it
    whole (Database.run_transaction)."""
    if not events:
        return []
    counts = Counter(event.run_id for event in events)
    # Incrementing the runs' counters locks their rows until commit, so concurrent appends queue up.
    last_seq = dict(
        session.execute(
            update(Run)
            .where(Run.id.in_(counts))
            .values(last_event_seq=Run.last_event_seq + case(counts, value=Run.id))
            .returning(Run.id, Run.last_event_seq)
            .execution_options(synchronize_session=False)
        ).all()
    )
    missing = sorted(counts.keys() - last_seq.keys())
    if missing:
        raise Conflict(f"run {missing[0]} does not exist")
    next_seq = {run_id: last_seq[run_id] - count + 1 for run_id, count in counts.items()}
    now = utc_now()
    stored = []
    for event in events:
        stored.append(StoredEvent(event.run_id, next_seq[event.run_id], event.type, event.data, now))
        next_seq[event.run_id] += 1
    session.execute(insert(EventRow), [event._asdict() for event in stored])
    return stored


def append_events_after(
    session: Session, work: Callable[[Session], object], events: list[NewEvent]
) -> list[StoredEvent]:
    """`work`, then the events appended, in the caller's transaction: a run's final state and its final
    event commit together."""
    work(session)
    return append_events(session, events)
