from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import AssessmentDraft

RECENT_DRAFTS = 20


class DraftRepository:
    """The wizard's drafts; every getter takes the owner's id and answers None for another user's."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self, owner_id: str, data: dict[str, Any], *, step: str, now: datetime
    ) -> AssessmentDraft:
        draft = AssessmentDraft(owner_id=owner_id, data=data, step=step, created_at=now, updated_at=now)
        self.session.add(draft)
        await self.session.flush()
        return draft

    async def get(self, owner_id: str, draft_id: str) -> AssessmentDraft | None:
        return await self.session.scalar(
            select(AssessmentDraft).where(
                AssessmentDraft.id == draft_id, AssessmentDraft.owner_id == owner_id
            )
        )

    async def save(self, draft: AssessmentDraft, data: dict[str, Any], *, step: str, now: datetime) -> None:
        draft.data = data
        draft.step = step
        draft.updated_at = now
        await self.session.flush()

    async def recent(self, owner_id: str, limit: int = RECENT_DRAFTS) -> list[AssessmentDraft]:
        rows = await self.session.scalars(
            select(AssessmentDraft)
            .where(AssessmentDraft.owner_id == owner_id)
            .order_by(AssessmentDraft.updated_at.desc())
            .limit(limit)
        )
        return list(rows)

    async def delete(self, owner_id: str, draft_id: str) -> bool:
        result = await self.session.execute(
            delete(AssessmentDraft).where(
                AssessmentDraft.id == draft_id, AssessmentDraft.owner_id == owner_id
            )
        )
        return bool(getattr(result, "rowcount", 0))


def _owned(owner_id: str, draft_id: str) -> ColumnElement[bool]:
    return and_(AssessmentDraft.id == draft_id, AssessmentDraft.owner_id == owner_id)
