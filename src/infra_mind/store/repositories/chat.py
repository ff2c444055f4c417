from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import Assessment, ChatMessage
from infra_mind.store.types import utc_now


class ChatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        assessment_id: str,
        *,
        role: str,
        text: str,
        citations: list[dict[str, Any]] | None = None,
        run_id: str | None = None,
    ) -> ChatMessage:
        """`assessment_id` is one the caller fetched with its owner's id."""
        message = ChatMessage(
            assessment_id=assessment_id,
            run_id=run_id,
            role=role,
            text=text,
            citations=list(citations or []),
            created_at=utc_now(),
        )
        self.session.add(message)
        await self.session.flush()
        return message

    async def history(self, owner_id: str, assessment_id: str, *, last: int = 50) -> list[ChatMessage]:
        """The latest `last` messages of the owner's assessment, oldest first."""
        query = (
            select(ChatMessage)
            .join(Assessment, Assessment.id == ChatMessage.assessment_id)
            .where(ChatMessage.assessment_id == assessment_id, Assessment.owner_id == owner_id)
            .order_by(ChatMessage.id.desc())
            .limit(max(1, last))
        )
        newest_first = list((await self.session.scalars(query)).all())
        return newest_first[::-1]
