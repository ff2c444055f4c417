"""Offset pagination with the total, for list endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


async def paginate(session: AsyncSession, query: Select[T], *, limit: int, offset: int) -> Page[T]:
    """`query` carries its filters and ordering; the total counts the same filtered rows."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total_query: Select[Any] = select(func.count()).select_from(query.order_by(None).subquery())
    total = (await session.execute(total_query)).scalar_one()
    items = list((await session.scalars(query.limit(limit).offset(offset))).all())
    return Page(items=items, total=total, limit=limit, offset=offset)
