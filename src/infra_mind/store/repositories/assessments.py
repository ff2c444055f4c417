from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from infra_mind.errors import Conflict
from infra_mind.store.models import Assessment, Run
from infra_mind.store.repositories.paging import Page, paginate
from infra_mind.store.types import utc_now


class AssessmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, owner_id: str, *, name: str, input: dict[str, Any]) -> Assessment:
        """`input` is the already validated assessment input, as JSON."""
        now = utc_now()
        assessment = Assessment(owner_id=owner_id, name=name, input=input, created_at=now, updated_at=now)
        self.session.add(assessment)
        await self.session.flush()
        return assessment

    async def get(self, owner_id: str, assessment_id: str, *, with_input: bool = True) -> Assessment | None:
        """`with_input=False` leaves the input (the largest column) unread: reading it then raises."""
        query = select(Assessment).where(Assessment.id == assessment_id, Assessment.owner_id == owner_id)
        if not with_input:
            query = query.options(defer(Assessment.input, raiseload=True))
        return await self.session.scalar(query)

    async def list(
        self,
        owner_id: str,
        *,
        limit: int = 50,
        offset: int = 0,
        name_contains: str | None = None,
        status: str | None = None,
    ) -> Page[Assessment]:
        """Newest first. `status` matches the status of each assessment's latest run."""
        query = select(Assessment).where(Assessment.owner_id == owner_id)
        if name_contains:
            query = query.where(Assessment.name.icontains(name_contains, autoescape=True))
        if status:
            latest_status = (
                select(Run.status)
                .where(Run.assessment_id == Assessment.id)
                .order_by(Run.requested_at.desc(), Run.id.desc())
                .limit(1)
                .correlate(Assessment)
                .scalar_subquery()
            )
            query = query.where(latest_status == status)
        query = query.order_by(Assessment.created_at.desc(), Assessment.id.desc())
        return await paginate(self.session, query, limit=limit, offset=offset)

    async def update(
        self,
        owner_id: str,
        assessment_id: str,
        *,
        name: str | None = None,
        input: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Assessment | None:
        """Each change bumps the version; a stale `expected_version` raises Conflict (checked atomically)."""
        values: dict[str, Any] = {"version": Assessment.version + 1, "updated_at": utc_now()}
        if name is not None:
            values["name"] = name
        if input is not None:
            values["input"] = input
        conditions = [Assessment.id == assessment_id, Assessment.owner_id == owner_id]
        if expected_version is not None:
            conditions.append(Assessment.version == expected_version)
        changed = await self.session.execute(
            update(Assessment)
            .where(*conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        assessment = await self.session.scalar(
            select(Assessment)
            .where(Assessment.id == assessment_id, Assessment.owner_id == owner_id)
            .execution_options(populate_existing=True)
        )
        if assessment is not None and not getattr(changed, "rowcount", 0):
            raise Conflict(
                f"assessment {assessment_id} is at version {assessment.version}, not {expected_version}"
            )
        return assessment

    async def delete(self, owner_id: str, assessment_id: str) -> bool:
        """Deletes for real, with its runs and everything under them (ON DELETE CASCADE)."""
        result = await self.session.execute(
            delete(Assessment)
            .where(Assessment.id == assessment_id, Assessment.owner_id == owner_id)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    async def latest_runs(self, owner_id: str, assessment_ids: Sequence[str]) -> dict[str, Run]:
        """Each listed assessment's newest run, in one query: the list view shows its status."""
        if not assessment_ids:
            return {}
        ranked = (
            select(
                Run.id,
                func.row_number()
                .over(partition_by=Run.assessment_id, order_by=(Run.requested_at.desc(), Run.id.desc()))
                .label("position"),
            )
            .where(Run.owner_id == owner_id, Run.assessment_id.in_(assessment_ids))
            .subquery()
        )
        newest = select(Run).join(ranked, ranked.c.id == Run.id).where(ranked.c.position == 1)
        return {run.assessment_id: run for run in (await self.session.scalars(newest)).all()}
