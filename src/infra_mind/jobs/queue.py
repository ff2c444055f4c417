"""The runner's queries on the runs table: cancel requests, leases, counts. Claiming the next queued run
is the store's `claim_next_run`, so that a SQLite writer process can run it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import ACTIVE_RUN_STATES, Run, RunState
from infra_mind.store.types import utc_now


class RunQueue:
    """Takes the caller's session and never commits, like the store's repositories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_queued(self) -> int:
        return await self._count(RunState.QUEUED)

    async def count_running(self) -> int:
        return await self._count(RunState.RUNNING)

    async def _count(self, state: RunState) -> int:
        count = await self.session.scalar(
            select(func.count()).select_from(Run).where(Run.status == state.value)
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

    async def claim_leased(self, run_id: str, *, worker: str, stale_before: datetime) -> Run | None:
        """This run, now `running` under `worker`'s lease with one more attempt: taken from the queue, or
        taken over from a worker whose lease went stale (it died). None when neither applies."""
        claimable = or_(
            Run.status == RunState.QUEUED.value,
            and_(
                Run.status == RunState.RUNNING.value,
                or_(Run.heartbeat_at.is_(None), Run.heartbeat_at < stale_before),
            ),
        )
        now = utc_now()
        claimed = await self.session.execute(
            update(Run)
            .where(Run.id == run_id, claimable)
            .values(
                status=RunState.RUNNING.value,
                started_at=now,
                attempts=Run.attempts + 1,
                worker=worker,
                heartbeat_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            return None
        return await self.session.get(Run, run_id, populate_existing=True)

    async def renew_lease(self, run_id: str, *, worker: str) -> bool:
        """False when the run is no longer this worker's to execute (taken over, or ended)."""
        renewed = await self.session.execute(
            update(Run)
            .where(Run.id == run_id, Run.worker == worker, Run.status == RunState.RUNNING.value)
            .values(heartbeat_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(renewed, "rowcount", 0))

    async def orphaned(
        self, *, stale_before: datetime, queued_before: datetime, limit: int = 100
    ) -> list[str]:
        """Runs no worker is executing: `running` under a stale lease, or `queued` and last sent to the
        broker longer ago than any delivery takes (its message was lost). Oldest first."""
        query = (
            select(Run.id)
            .where(
                or_(
                    and_(
                        Run.status == RunState.RUNNING.value,
                        or_(Run.heartbeat_at.is_(None), Run.heartbeat_at < stale_before),
                    ),
                    and_(
                        Run.status == RunState.QUEUED.value,
                        func.coalesce(Run.heartbeat_at, Run.requested_at) < queued_before,
                    ),
                )
            )
            .order_by(Run.requested_at)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def mark_sent(self, run_ids: list[str]) -> None:
        """A queued run's heartbeat is when the sweeper last sent it again; before that, the sweeper's clock
        for it is when it was requested (the API sends it at once)."""
        await self.session.execute(
            update(Run)
            .where(Run.id.in_(run_ids), Run.status == RunState.QUEUED.value)
            .values(heartbeat_at=utc_now())
            .execution_options(synchronize_session=False)
        )

    async def cancel_requested_among(self, run_ids: list[str]) -> list[str]:
        """Those of `run_ids` that someone asked to cancel: one query for every run a process executes."""
        found = await self.session.scalars(
            select(Run.id).where(Run.id.in_(run_ids), Run.cancel_requested_at.is_not(None))
        )
        return list(found.all())
