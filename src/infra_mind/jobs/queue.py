"""The runner's queries on the runs table: claim the oldest queued run atomically, cancel requests."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import ACTIVE_RUN_STATES, Run, RunState
from infra_mind.store.types import utc_now

CLAIM_CANDIDATES = 10


class RunQueue:
    """Takes the caller's session and never commits, like the store's repositories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_next(self) -> Run | None:
        """The oldest queued run, now `running` with one more attempt; None when the queue is empty.

        The conditional UPDATE is the claim: two runners racing for a run cannot both move it.
        """
        candidates = await self.session.scalars(
            select(Run.id)
            .where(Run.status == RunState.QUEUED.value)
            .order_by(Run.requested_at, Run.id)
            .limit(CLAIM_CANDIDATES)
        )
        for run_id in candidates.all():
            claimed = await self.session.execute(
                update(Run)
                .where(Run.id == run_id, Run.status == RunState.QUEUED.value)
                .values(status=RunState.RUNNING.value, started_at=utc_now(), attempts=Run.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0):
                return await self.session.get(Run, run_id, populate_existing=True)
        return None

    async def count_queued(self) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(Run).where(Run.status == RunState.QUEUED.value)
        )
        return int(count or 0)

    async def request_cancel(self, run_id: str) -> bool:
        """Marks an active run for cancellation; False when it is unknown or already finished."""
        marked = await self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status.in_([s.value for s in ACTIVE_RUN_STATES]))
            .values(cancel_requested_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(marked, "rowcount", 0))

    async def cancel_requested(self, run_id: str) -> bool:
        requested = await self.session.scalar(select(Run.cancel_requested_at).where(Run.id == run_id))
        return requested is not None

    async def requeue_after_stop(self, run_id: str) -> bool:
        """A run this runner stopped on purpose goes back to the queue; a stop is not an attempt."""
        moved = await self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RunState.RUNNING.value)
            .values(status=RunState.QUEUED.value, started_at=None, attempts=Run.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(moved, "rowcount", 0))

    async def move(self, run_id: str, from_: RunState, to: RunState, *, error: str | None = None) -> bool:
        """`from_` → `to` only if the run is still `from_` (transition() takes any legal source)."""
        values: dict[str, object] = {"status": to.value, "finished_at": utc_now()}
        if error is not None:
            values["error"] = error
        moved = await self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == from_.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(moved, "rowcount", 0))
