from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx2
from fastapi import FastAPI

from infra_mind.api.app import create_app
from infra_mind.config import Settings
from infra_mind.store.db import Database

from .conftest import bearer, client_for, running, signed_in


class _StubRunner:
    def __init__(self, up: bool) -> None:
        self.up = up

        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")

    @property
    def running(self) -> bool:
        return self.up

    async def health(self) -> dict[str, str]:
        return {"runner": "ok" if self.up else "failing"}


async def test_health_is_liveness_only(client: httpx2.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database_and_the_runner(app: FastAPI) -> None:
    async with client_for(app) as client:
        stopped = await client.get("/ready")
        async with running(app):
            started = await client.get("/ready")
    assert stopped.status_code == 503
    assert stopped.json()["checks"] == {"database": "ok", "runner": "failing"}
    assert started.status_code == 200
    assert started.json() == {"status": "ready", "checks": {"database": "ok", "runner": "ok"}}


async def test_ready_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        jwt_secret="s" * 40,
        data_dir=tmp_path,
    )
    app = create_app(settings, migrate=False)
    async with client_for(app) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"


async def test_ready_reports_a_runner(app_for: Callable[..., FastAPI]) -> None:
    app = app_for()
    services = app.state.services
    for up, expected in ((True, 200), (False, 503)):
        app.state.services = replace(services, runner=_StubRunner(up))
        async with client_for(app) as client:
            response = await client.get("/ready")
        assert response.status_code == expected
        assert response.json()["checks"]["runner"] == ("ok" if up else "failing")


async def test_metrics_label_http_series_by_route_template(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    await client.delete("/api/v1/auth/api-keys/some-id", headers=bearer(pair["access_token"]))
    await client.get("/api/v1/nothing/12345")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    series = 'method="DELETE",route="/api/v1/auth/api-keys/{key_id}",status="404"'
    assert f"infra_mind_http_requests_total{{{series}}} 1.0" in text
    assert 'route="/api/v1/auth/token",status="200"' in text
    assert 'route="unmatched",status="404"' in text
    assert "some-id" not in text
    assert "12345" not in text
    assert "infra_mind_http_request_duration_seconds_bucket" in text


async def test_the_lifespan_starts_and_stops_the_runner(db: Database, tmp_path: Path) -> None:
    runner = _StubRunner(up=True)
    settings = Settings(database_url=db.url, jwt_secret="s" * 40, data_dir=tmp_path)
    app = create_app(settings, database=db, runner=runner)
    async with app.router.lifespan_context(app):
        assert runner.calls == ["start"]
    assert runner.calls == ["start", "stop"]
