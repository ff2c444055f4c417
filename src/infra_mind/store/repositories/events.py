from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.errors import Conflict
from infra_mind.store.models import EventRow, Run
from infra_mind.store.types import utc_now


class NewEvent(NamedTuple):
    run_id: str
    type: str
    data: dict[str, Any]


class EventRepository:
    """A run's events, numbered 1, 2, 3 … without gaps or duplicates, for SSE replay."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, run_id: str, type: str, data: dict[str, Any]) -> EventRow:
        (row,) = await self.append_many([NewEvent(run_id, type, data)])
        return row

    async def append_many(self, events: list[NewEvent]) -> list[EventRow]:
        """The events in their order, numbered after each run's last: one counter update per run, then
        one insert for all of them."""
        counts = Counter(event.run_id for event in events)
        next_seq = {}
        for run_id, count in counts.items():
            # Incrementing the run's counter locks its row until commit, so concurrent appends queue up.
            last = await self.session.scalar(
                update(Run)
                .where(Run.id == run_id)
                .values(last_event_seq=Run.last_event_seq + count)
                .returning(Run.last_event_seq)
                .execution_options(synchronize_session=False)
            )
            if last is None:
                raise Conflict(f"run {run_id} does not exist")
            next_seq[run_id] = last - count + 1
        now = utc_now()
        rows = []
        for event in events:
            seq = next_seq[event.run_id]
            next_seq[event.run_id] = seq + 1
            rows.append(
                EventRow(run_id=event.run_id, seq=seq, type=event.type, data=event.data, created_at=now)
            )
        self.session.add_all(rows)
        await self.session.flush()
        return rows

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
