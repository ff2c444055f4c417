"""Every store test runs on SQLite (a temporary file) and on PostgreSQL (a database made for the session).

PostgreSQL is the machine's server (INFRA_MIND_TEST_POSTGRES_URL, default trust auth on 127.0.0.1:5432);
when it is unreachable its variants skip, or fail under CI=true.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.store.models import Assessment, Base, User
from infra_mind.store.repositories import AssessmentRepository, UserRepository

from ..conftest import skip_or_fail_in_ci

POSTGRES_ADMIN_URL = os.environ.get(
    "INFRA_MIND_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_postgres_database() -> str:
    """A new empty database; its SQLAlchemy URL. Skips (or fails in CI) when the server is unreachable."""
    name = f"infra_mind_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        skip_or_fail_in_ci(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unusable: {exc!r}")
    return (
        make_url(POSTGRES_ADMIN_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def write_gate_taken(sqlite_url: str) -> bool:
    """Whether a writer holds the SQLite database's write gate (store/write_gate.py) right now."""
    fd = os.open(
        f"{sqlite_url.removeprefix('sqlite+aiosqlite:///')}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = sqlite_url(tmp_path_factory.mktemp("store") / "infra_mind.db")
    asyncio.run(upgrade_to_head(url))
    return url


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    url = create_postgres_database()
    try:
        asyncio.run(upgrade_to_head(url))
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database of each backend, emptied after every test."""
    url: str = request.getfixturevalue(f"{request.param}_database")
    return url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for the migration tests."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        async with database.session() as session:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            if database.engine.dialect.name == "postgresql":
                await session.execute(text(f"TRUNCATE {tables} CASCADE"))
            else:
                for table in reversed(Base.metadata.sorted_tables):
                    await session.execute(table.delete())
        await database.dispose()


async def add_user(db: Database, email: str) -> User:
    async with db.session() as session:
        return await UserRepository(session).create(email, "argon2-hash-of-" + email)


async def add_assessment(db: Database, owner: User, name: str = "Clinic portal") -> Assessment:
    async with db.session() as session:
        return await AssessmentRepository(session).create(owner.id, name=name, input={"name": name})


def recommendation(
    n: int, priority: str = "high", pillar: str = "cost", agents: list[str] | None = None
) -> dict[str, Any]:
    """A domain Recommendation as the runner dumps it, with the members the store reads."""
    return {
        "id": f"rec-{n}",
        "key": f"key-{n}",
        "title": f"Recommendation {n}",
        "category": "security",
        "priority": priority,
        "pillar": pillar,
        "agents": agents or ["cto"],
    }
