from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.store.models import RefreshToken
from infra_mind.store.types import new_id, utc_now


class RefreshTokenRepository:
    """Refresh tokens by hash, in families: a rotation links old to new; reuse revokes the family."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def issue(
        self, user_id: str, *, token_hash: str, expires_at: datetime, family_id: str | None = None
    ) -> RefreshToken:
        token = RefreshToken(
            user_id=user_id, token_hash=token_hash, family_id=family_id or new_id(), expires_at=expires_at
        )
        self.session.add(token)
        await self.session.flush()
        return token

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        """Revoked and expired tokens too: the caller tells reuse (revoked) from expiry."""
        return await self.session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    async def rotate(
        self, old: RefreshToken, *, token_hash: str, expires_at: datetime
    ) -> RefreshToken | None:
        """The successor in the same family; None when `old` was already revoked (a concurrent rotation)."""
        new = RefreshToken(
            id=new_id(),
            user_id=old.user_id,
            token_hash=token_hash,
            family_id=old.family_id,
            expires_at=expires_at,
        )
        self.session.add(new)
        await self.session.flush()
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == old.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utc_now(), replaced_by=new.id)
            .execution_options(synchronize_session="fetch")
        )
        if not getattr(result, "rowcount", 0):
            await self.session.delete(new)
            await self.session.flush()
            return None
        return new

    async def revoke_family(self, family_id: str) -> int:
        return await self._revoke(RefreshToken.family_id == family_id)

    async def revoke_all_for(self, user_id: str) -> int:
        return await self._revoke(RefreshToken.user_id == user_id)

    async def _revoke(self, condition: ColumnElement[bool]) -> int:
        result = await self.session.execute(
            update(RefreshToken)
            .where(condition, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0))
