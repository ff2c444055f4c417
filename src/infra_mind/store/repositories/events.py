from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.errors import Conflict
from infra_mind.store.models import EventRow, Run
from infra_mind.store.types import utc_now


class EventRepository:
    """A run's events, numbered 1, 2, 3 … without gaps or duplicates, for SSE replay."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, run_id: str, type: str, data: dict[str, Any]) -> EventRow:
        # Incrementing the run's counter locks its row until commit, so concurrent appends queue up.
        seq = await self.session.scalar(
            update(Run)
            .where(Run.id == run_id)
            .values(last_event_seq=Run.last_event_seq + 1)
            .returning(Run.last_event_seq)
            .execution_options(synchronize_session=False)
        )
        if seq is None:
            raise Conflict(f"run {run_id} does not exist")
        event = EventRow(run_id=run_id, seq=seq, type=type, data=data, created_at=utc_now())
        self.session.add(event)
        await self.session.flush()
        return event

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
