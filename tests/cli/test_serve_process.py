"""`infra-mind serve` as a user starts it: a real process on a real port, embedded defaults, no key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "healthtech-hipaa.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "INFRA_MIND_DATA_DIR": str(tmp_path),
        "INFRA_MIND_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'infra_mind.db'}",
        "INFRA_MIND_REPORT_FORMATS": '["md", "json", "csv"]',
        "INFRA_MIND_RUNNER_POLL_INTERVAL_S": "0.1",
    }
    env.pop("INFRA_MIND_JWT_SECRET", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "infra_mind.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"serve exited with {process.returncode}: {output}")
        try:
            if httpx2.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become ready within 60 s")


def test_serve_runs_an_assessment_end_to_end(server: str, tmp_path: Path) -> None:
    import yaml

    spec: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    with httpx2.Client(base_url=server, timeout=30) as client:
        password = "Correct-horse-42"
        assert (
            client.post(
                "/api/v1/auth/register", json={"email": "ops@example.com", "password": password}
            ).status_code
            == 201
        )
        token = client.post(
            "/api/v1/auth/token", data={"username": "ops@example.com", "password": password}
        ).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        assessment = client.post("/api/v1/assessments", json=spec, headers=auth).json()
        run = client.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth).json()
        with client.stream("GET", run["links"]["events"], headers=auth) as stream:
            lines = [line for line in stream.iter_lines() if line.startswith("event: ")]
        view = client.get(run["links"]["self"], headers=auth).json()
        backlog = client.get(f"{run['links']['reports']}/backlog/csv", headers=auth)
        metrics = client.get("/metrics").text
    assert lines[-1] == "event: run.completed"
    assert view["status"] == "completed"
    assert backlog.status_code == 200
    assert 'infra_mind_runs_finished_total{mode="parallel",status="completed"} 1.0' in metrics
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0
