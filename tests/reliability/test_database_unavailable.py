"""`infra-mind serve` and `infra-mind worker` started on a database they cannot open: one line naming
INFRA_MIND_DATABASE_URL (its password hidden), exit 1, no traceback, within seconds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..jobs.celery.conftest import free_port

pytestmark = pytest.mark.reliability

EXIT_UNAVAILABLE = 1
WITHIN_S = 20
PASSWORD = "s3cret-pw"


def unreachable_urls(tmp_path: Path) -> dict[str, str]:
    not_a_directory = tmp_path / "plain-file"
    not_a_directory.write_text("a file where a directory should be")
    return {
        "postgresql": f"postgresql+asyncpg://infra:{PASSWORD}@127.0.0.1:{free_port()}/gone",
        "sqlite-missing-dir": f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'deeper' / 'infra_mind.db'}",
        "sqlite-under-a-file": f"sqlite+aiosqlite:///{not_a_directory / 'infra_mind.db'}",
    }


@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("serve", "postgresql"),
        ("serve", "sqlite-missing-dir"),
        ("worker", "postgresql"),
        ("worker", "sqlite-under-a-file"),
    ],
)
def test_a_command_on_an_unreachable_database_exits_1_with_one_line_naming_the_setting(
    command: str, target: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "INFRA_MIND_DATABASE_URL": unreachable_urls(tmp_path)[target],
        "INFRA_MIND_DATA_DIR": str(tmp_path / "data"),
        "INFRA_MIND_JWT_SECRET": "reliability-signing-secret-" + "z" * 32,
        "INFRA_MIND_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
        "INFRA_MIND_WORKER_METRICS_PORT": "0",
    }
    arguments = ["serve", "--port", str(free_port())] if command == "serve" else ["worker"]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "infra_mind.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.returncode == EXIT_UNAVAILABLE, output
    assert len(lines) == 1, output
    assert lines[0].startswith("database unavailable: "), output
    assert "INFRA_MIND_DATABASE_URL" in lines[0]
    assert "Traceback" not in output
    assert PASSWORD not in output
    assert elapsed < WITHIN_S, f"{elapsed:.1f} s"
