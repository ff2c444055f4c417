from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, defer

from infra_mind.errors import Conflict, NotFound, RunAlreadyActive
from infra_mind.store.models import (
    ACTIVE_RUN_STATES,
    AgentResultRow,
    Assessment,
    RecommendationRow,
    Run,
    RunState,
)
from infra_mind.store.repositories._dialect import insert_or_ignore
from infra_mind.store.repositories.paging import Page, paginate
from infra_mind.store.types import JsonText, new_id, utc_now

# Target state → the states it may be reached from. `running → queued` re-queues after a crash.
ALLOWED_FROM: dict[RunState, tuple[RunState, ...]] = {
    RunState.RUNNING: (RunState.QUEUED,),
    RunState.QUEUED: (RunState.RUNNING,),
    RunState.COMPLETED: (RunState.RUNNING,),
    RunState.PARTIAL: (RunState.RUNNING,),
    RunState.FAILED: (RunState.QUEUED, RunState.RUNNING),
    RunState.CANCELLED: (RunState.QUEUED, RunState.RUNNING),
}
TERMINAL_STATES = frozenset(RunState) - frozenset(ACTIVE_RUN_STATES)
# The members of a run's result kept in tables of their own (agent_results, recommendations), not again in
# `runs.result`: they are nine tenths of it, and a finished run's write is what the database waits on.
RESULT_PARTS_STORED_APART = frozenset({"agents", "recommendations"})


# A queued run of the assessment `:assessment_id` if `:owner_id` owns it, else no row: built once, so a
# request pays only for its values.
OWNED_ASSESSMENT_QUEUED = select(
    bindparam("run_id", type_=Run.id.type),
    Assessment.id,
    Assessment.version,
    Assessment.owner_id,
    literal(RunState.QUEUED.value, Run.status.type),
    bindparam("mode", type_=Run.mode.type),
    bindparam("idempotency_key", type_=Run.idempotency_key.type),
    bindparam("rerun_of", type_=Run.rerun_of.type),
    bindparam("requested_at", type_=Run.requested_at.type),
    literal(0, Run.last_event_seq.type),
).where(Assessment.id == bindparam("assessment_id"), Assessment.owner_id == bindparam("owner_id"))
QUEUED_COLUMNS = (
    "id",
    "assessment_id",
    "assessment_version",
    "owner_id",
    "status",
    "mode",
    "idempotency_key",
    "rerun_of",
    "requested_at",
    "last_event_seq",
)


class RunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        owner_id: str,
        assessment_id: str,
        *,
        mode: str,
        idempotency_key: str | None = None,
        rerun_of: str | None = None,
    ) -> tuple[Run, bool]:
        """`create_run` in this session."""
        return await self.session.run_sync(
            create_run,
            owner_id,
            assessment_id,
            mode=mode,
            idempotency_key=idempotency_key,
            rerun_of=rerun_of,
        )

    async def get(self, owner_id: str, run_id: str) -> Run | None:
        """Without `runs.result` (megabytes once the run finished): `result` reads it when needed."""
        return await self.session.scalar(
            select(Run)
            .where(Run.id == run_id, Run.owner_id == owner_id)
            .options(defer(Run.result, raiseload=True))
        )

    async def result(self, run_id: str) -> dict[str, Any] | None:
        """The run's whole result document: `runs.result` with the agents' outputs (in the order they were
        stored) and the ranked recommendations put back from their tables."""
        stored = await self.session.scalar(select(Run.result).where(Run.id == run_id))
        if stored is None:
            return None
        agents = await self.session.execute(
            select(AgentResultRow.agent, AgentResultRow.data)
            .where(AgentResultRow.run_id == run_id)
            .order_by(AgentResultRow.id)
        )
        recommendations = await self.session.scalars(
            select(RecommendationRow.data)
            .where(RecommendationRow.run_id == run_id)
            .order_by(RecommendationRow.rank)
        )
        parts = {"agents": dict(agents.all()), "recommendations": list(recommendations)}
        return dict(stored) | parts

    async def load(self, run_id: str) -> Run | None:
        """For the runner, which acts for every owner; API code uses `get`. Without `runs.result`."""
        return await self.session.get(
            Run, run_id, populate_existing=True, options=[defer(Run.result, raiseload=True)]
        )

    async def active_run(self, owner_id: str, assessment_id: str) -> Run | None:
        return await self.session.scalar(_active_run(owner_id, assessment_id))

    async def list_for_assessment(
        self, owner_id: str, assessment_id: str, *, limit: int = 50, offset: int = 0
    ) -> Page[Run]:
        query = (
            select(Run)
            .where(Run.owner_id == owner_id, Run.assessment_id == assessment_id)
            .order_by(Run.requested_at.desc(), Run.id.desc())
        )
        return await paginate(self.session, query, limit=limit, offset=offset)

    async def in_state(self, state: RunState, *, limit: int = 100) -> list[Run]:
        """Oldest first: the runner's queue (`queued`) and its restart check (`running`)."""
        query = select(Run).where(Run.status == state.value).order_by(Run.requested_at, Run.id).limit(limit)
        return list((await self.session.scalars(query)).all())

    async def store_result(
        self, run_id: str, *, result: dict[str, Any] | JsonText, metrics: dict[str, Any]
    ) -> None:
        await self.session.run_sync(store_result, run_id, result=result, metrics=metrics)

    async def transition(
        self,
        run_id: str,
        to: RunState,
        *,
        error: str | None = None,
        at: datetime | None = None,
    ) -> Run:
        return await self.session.run_sync(transition, run_id, to, error=error, at=at)


def create_run(
    session: Session,
    owner_id: str,
    assessment_id: str,
    *,
    mode: str,
    idempotency_key: str | None = None,
    rerun_of: str | None = None,
) -> tuple[Run, bool]:
    """A queued run of the owner's assessment (at its current version) and True; or, for an idempotency
    key seen before, that run and False.

    One statement checks the owner, reads the version and inserts. Raises NotFound when the owner has no
    such assessment, RunAlreadyActive when it has a queued or running run (a partial unique index makes
    this race-free). A plain function of a blocking session, so that a SQLite writer thread can run it
    whole (Database.run_transaction).
    """
    if idempotency_key is not None:
        earlier = session.scalar(_by_idempotency_key(owner_id, idempotency_key))
        if earlier is not None:
            return earlier, False
    values = {
        "run_id": new_id(),
        "mode": mode,
        "idempotency_key": idempotency_key,
        "rerun_of": rerun_of,
        "requested_at": utc_now(),
        "assessment_id": assessment_id,
        "owner_id": owner_id,
    }
    inserted = session.scalar(
        insert_or_ignore(session, Run)
        .from_select(QUEUED_COLUMNS, OWNED_ASSESSMENT_QUEUED.params(values))
        .returning(Run)
    )
    if inserted is not None:
        return inserted, True
    if idempotency_key is not None:
        earlier = session.scalar(_by_idempotency_key(owner_id, idempotency_key))
        if earlier is not None:
            return earlier, False
    owned = session.scalar(
        select(Assessment.id).where(Assessment.id == assessment_id, Assessment.owner_id == owner_id)
    )
    if owned is None:
        raise NotFound(f"no assessment {assessment_id}")
    active = session.scalar(_active_run(owner_id, assessment_id))
    raise RunAlreadyActive(assessment_id, active.id if active else None)


def _by_idempotency_key(owner_id: str, key: str) -> Select[Run]:
    return select(Run).where(Run.owner_id == owner_id, Run.idempotency_key == key)


def _active_run(owner_id: str, assessment_id: str) -> Select[Run]:
    return select(Run).where(
        Run.owner_id == owner_id,
        Run.assessment_id == assessment_id,
        Run.status.in_([s.value for s in ACTIVE_RUN_STATES]),
    )


CLAIM_CANDIDATES = 10


@dataclass(frozen=True)
class ClaimedRun:
    """What a runner keeps of a run it claimed, once the claiming session is closed."""

    run_id: str
    mode: str
    assessment_id: str
    rerun_of: str | None

    @classmethod
    def of(cls, run: Run) -> ClaimedRun:
        return cls(run.id, run.mode, run.assessment_id, run.rerun_of)


def claim_next(session: Session) -> Run | None:
    """The oldest queued run, now `running` with one more attempt; None when the queue is empty.

    The conditional UPDATE is the claim: two runners racing for a run cannot both move it.
    """
    candidates = session.scalars(
        select(Run.id)
        .where(Run.status == RunState.QUEUED.value)
        .order_by(Run.requested_at, Run.id)
        .limit(CLAIM_CANDIDATES)
    )
    for run_id in candidates.all():
        claimed = session.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RunState.QUEUED.value)
            .values(status=RunState.RUNNING.value, started_at=utc_now(), attempts=Run.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0):
            return session.get(Run, run_id, populate_existing=True)
    return None


def claim_next_run(session: Session) -> ClaimedRun | None:
    """`claim_next` for Database.run_transaction, which may run it in a writer process: what the runner
    keeps of the claimed run, not the row."""
    run = claim_next(session)
    return None if run is None else ClaimedRun.of(run)


# The runner's writes, as plain functions of a blocking session: a SQLite writer thread runs each
# transaction whole (Database.run_transaction); the repository's methods run them through `run_sync`.


def store_result(
    session: Session, run_id: str, *, result: dict[str, Any] | JsonText, metrics: dict[str, Any]
) -> None:
    """`result` without RESULT_PARTS_STORED_APART, saved before it in the same transaction."""
    session.execute(
        update(Run)
        .where(Run.id == run_id)
        .values(result=result, metrics=metrics)
        .execution_options(synchronize_session=False)
    )


def transition(
    session: Session, run_id: str, to: RunState, *, error: str | None = None, at: datetime | None = None
) -> Run:
    """Moves the run only from a state ALLOWED_FROM permits, atomically; else raises Conflict."""
    now = at or utc_now()
    values: dict[str, Any] = {"status": to.value}
    if to is RunState.RUNNING:
        values["started_at"] = now
    elif to is RunState.QUEUED:
        values["started_at"] = None
    else:
        values["finished_at"] = now
    if error is not None:
        values["error"] = error
    moved = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status.in_([s.value for s in ALLOWED_FROM[to]]))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    run = session.get(Run, run_id, populate_existing=True, options=[defer(Run.result, raiseload=True)])
    if run is None:
        raise Conflict(f"run {run_id} does not exist")
    if not getattr(moved, "rowcount", 0):
        raise Conflict(f"run {run_id} is {run.status}; it cannot become {to.value}")
    return run
