"""The machine's PostgreSQL for the benchmarks: a fresh database per measurement, dropped after."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("INFRA_MIND_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DATABASE_PREFIX = "infra_mind_bench_"


async def admin(sql: str, admin_url: str = ADMIN_URL) -> None:
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def unusable(admin_url: str = ADMIN_URL) -> str | None:
    """Why the server cannot be used for a measurement, or None."""
    try:
        await admin("SELECT 1", admin_url)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {admin_url} is unusable: {exc!r}"
    return None


@asynccontextmanager
async def fresh_database(admin_url: str = ADMIN_URL) -> AsyncIterator[str]:
    """An empty database's SQLAlchemy URL (asyncpg driver); the app migrates it when it starts."""
    name = f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    await admin(f'CREATE DATABASE "{name}"', admin_url)
    try:
        yield (
            make_url(admin_url)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin_url)
