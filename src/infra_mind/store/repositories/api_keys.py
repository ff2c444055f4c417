from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import ApiKey
from infra_mind.store.types import utc_now

# Coarse enough that a busy key does not cost a write per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class ApiKeyRepository:
    """Stores only what auth/ derives from a key (its hash and display prefix), never the key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self, user_id: str, *, name: str, key_hash: str, prefix: str, scopes: list[str]
    ) -> ApiKey:
        key = ApiKey(user_id=user_id, name=name, key_hash=key_hash, prefix=prefix, scopes=list(scopes))
        self.session.add(key)
        await self.session.flush()
        return key

    async def active_by_hash(self, key_hash: str) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )

    async def list_for(self, user_id: str) -> list[ApiKey]:
        query = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
        return list((await self.session.scalars(query)).all())

    async def revoke(self, user_id: str, key_id: str, *, at: datetime | None = None) -> bool:
        """False when the key is not this user's or is already revoked."""
        result = await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=at or utc_now())
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_used(self, key_id: str, *, at: datetime | None = None) -> None:
        """Records the use unless one was recorded within LAST_USED_RESOLUTION before `at`."""
        now = at or utc_now()
        await self.session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session="fetch")
        )
