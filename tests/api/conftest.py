"""The API through its ASGI app (httpx2) on a real database: SQLite and PostgreSQL, as tests/store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from pwdlib.hashers.argon2 import Argon2Hasher

from infra_mind.api.app import create_app
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.config import Settings
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from ..store.conftest import database_url, db, postgresql_database, sqlite_database

__all__ = ["database_url", "db", "postgresql_database", "sqlite_database"]

PASSWORD = "Correct-horse-42"
JWT_SECRET = "test-signing-secret-" + "x" * 40


@dataclass
class MovableClock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def cheap_passwords() -> PasswordHasher:
    """argon2id with test-sized parameters: the API code path, without a second per login."""
    return PasswordHasher(Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def settings_for(db: Database, tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": db.url,
            "jwt_secret": JWT_SECRET,
            "data_dir": tmp_path,
            "login_rate_limit_per_ip": "1000/minute",
            "login_rate_limit_per_account": "1000/minute",
            "registration_rate_limit_per_ip": "1000/minute",
            "runner_poll_interval_s": 0.05,
            "report_formats": ["md", "json", "csv"],
            # A process per test app would cost seconds each; tests/jobs/test_process_runner.py covers it.
            "embedded_runner": "thread",
        }
        return Settings(**(values | overrides))

    return build


@pytest.fixture
def app_for(
    db: Database,
    clock: MovableClock,
    cheap_passwords: PasswordHasher,
    settings_for: Callable[..., Settings],
    knowledge: Knowledge,
) -> Callable[..., FastAPI]:
    """Apps on the test database; the runner starts only inside `running(app)`.

    Reports are rendered as md, json and csv when a run ends; the other formats on their first download.
    """

    def build(**overrides: Any) -> FastAPI:
        return create_app(
            settings_for(**overrides),
            database=db,
            metrics=Metrics(),
            clock=clock,
            passwords=cheap_passwords,
            knowledge=knowledge,
            migrate=False,
        )

    return build


@pytest.fixture
def app(app_for: Callable[..., FastAPI]) -> FastAPI:
    return app_for()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app's lifespan: its runner takes queued runs until the block ends."""
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, ip: str = "203.0.113.7") -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, client=(ip, 40000))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with client_for(app) as c:
        yield c


async def register(client: httpx2.AsyncClient, email: str, password: str = PASSWORD) -> httpx2.Response:
    return await client.post("/api/v1/auth/register", json={"email": email, "password": password})


async def login(client: httpx2.AsyncClient, email: str, password: str = PASSWORD) -> httpx2.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


async def signed_in(client: httpx2.AsyncClient, email: str) -> dict[str, Any]:
    """Registers `email` and logs in: the token pair."""
    assert (await register(client, email)).status_code == 201
    response = await login(client, email)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
