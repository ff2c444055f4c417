from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from infra_mind.cli.main import app as main_app


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    monkeypatch.setenv("INFRA_MIND_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("INFRA_MIND_DATA_DIR", str(tmp_path))
    calls: list[dict[str, Any]] = []

    def fake_run(app: FastAPI, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_binds_the_loopback_by_default(uvicorn_calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main_app, ["serve"])
    assert result.exit_code == 0, result.output
    [call] = uvicorn_calls
    assert call["host"] == "127.0.0.1"
    assert call["port"] == 8000
    assert isinstance(call["app"], FastAPI)
    assert "/api/v1/auth/token" in call["app"].openapi()["paths"]


def test_serve_takes_host_and_port(uvicorn_calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main_app, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert (uvicorn_calls[0]["host"], uvicorn_calls[0]["port"]) == ("0.0.0.0", 9000)


def test_serve_refuses_a_bad_setting(
    uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRA_MIND_JWT_SECRET", "too-short")
    result = CliRunner().invoke(main_app, ["serve"])
    assert result.exit_code == 2
    assert "INFRA_MIND_JWT_SECRET" in result.output
    assert uvicorn_calls == []


def test_serve_says_the_database_is_unavailable_and_exits_1(
    uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRA_MIND_DATABASE_URL", "postgresql+asyncpg://ops:hunter2@127.0.0.1:1/infra")
    result = CliRunner().invoke(main_app, ["serve"])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "database unavailable" in output
    assert "INFRA_MIND_DATABASE_URL=postgresql+asyncpg://ops:***@127.0.0.1:1/infra" in output
    assert "hunter2" not in output
    assert uvicorn_calls == []
