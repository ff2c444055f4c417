from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import WebSession

LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""A page load within a minute of the last one writes nothing: reads stay reads."""


class WebSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self, user_id: str, *, token_hash: str, csrf_token: str, now: datetime, expires_at: datetime
    ) -> WebSession:
        row = WebSession(
            user_id=user_id,
            token_hash=token_hash,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def active(self, token_hash: str, *, now: datetime) -> WebSession | None:
        """The session if it is neither revoked nor expired; its last-seen time is kept to the minute."""
        row = await self.session.scalar(
            select(WebSession).where(
                WebSession.token_hash == token_hash,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
            )
        )
        if row is not None and now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
            row.last_seen_at = now
        return row

    async def revoke(self, session_id: str, *, now: datetime) -> None:
        await self.session.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
