from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra_mind.errors import Conflict
from infra_mind.store.models import User


def normalise_email(email: str) -> str:
    return email.strip().lower()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, email: str, password_hash: str, *, is_admin: bool = False) -> User:
        """Raises Conflict when the email is taken (compared case-insensitively)."""
        email = normalise_email(email)
        if await self.by_email(email) is not None:
            raise Conflict("email already registered")
        user = User(email=email, password_hash=password_hash, is_admin=is_admin)
        self.session.add(user)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict("email already registered") from exc
        return user

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == normalise_email(email)))

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(User))).scalar_one()

    async def set_password_hash(self, user_id: str, password_hash: str) -> bool:
        user = await self.get(user_id)
        if user is None:
            return False
        user.password_hash = password_hash
        await self.session.flush()
        return True
