from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from infra_mind.logs import configure_logging

PASSWORD = "hunter2-password"


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def _fail(secret: str) -> None:
    raise ValueError(f"boom near {len(secret)} chars")


def test_json_exception_logs_carry_the_traceback_without_locals(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        _fail(PASSWORD)
    except ValueError:
        structlog.get_logger().exception("job.failed", job_id="j1")

    record = json.loads(capsys.readouterr().err)
    assert record["event"] == "job.failed"
    assert record["job_id"] == "j1"
    [error] = record["exception"]
    assert error["exc_type"] == "ValueError"
    assert error["exc_value"] == "boom near 16 chars"
    assert [frame["name"] for frame in error["frames"]][-1] == "_fail"
    assert PASSWORD not in json.dumps(record)


def test_json_logs_accept_an_exception_as_exc_info(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        _fail("x")
    except ValueError as exc:
        caught = exc
    structlog.get_logger().error("agent.crashed", exc_info=caught)

    [error] = json.loads(capsys.readouterr().err)["exception"]
    assert error["exc_type"] == "ValueError"


def test_console_exception_logs_carry_a_plain_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        _fail(PASSWORD)
    except ValueError:
        structlog.get_logger().exception("job.failed", job_id="j1")

    output = capsys.readouterr().err
    assert "job.failed" in output
    assert "Traceback (most recent call last):" in output
    assert 'in _fail\n    raise ValueError(f"boom near {len(secret)} chars")' in output
    assert "ValueError: boom near 16 chars" in output
    assert PASSWORD not in output


@pytest.mark.parametrize("as_json", [True, False])
def test_stack_info_is_rendered(capsys: pytest.CaptureFixture[str], as_json: bool) -> None:
    configure_logging("INFO", json=as_json)
    structlog.get_logger().info("catalog.reloaded", stack_info=True)

    output = capsys.readouterr().err
    assert "Stack (most recent call last):" in output
    assert "test_stack_info_is_rendered" in output
