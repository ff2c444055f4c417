from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from bench.mockllm import FaultKind, FaultPolicy, MockLlm, Profile, Rule, running_mock_llm
from typer.testing import CliRunner

from infra_mind.chat import NO_ANSWER
from infra_mind.cli.ask import EXIT_ERROR, EXIT_INVALID, ask
from infra_mind.config import ENV_PREFIX, LlmProviderKind, Settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge

UPTIME = "What is the design uptime?"


@pytest.fixture(scope="module")
def run_dir(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    pipeline = build_pipeline(
        Settings(llm_provider=LlmProviderKind.OFFLINE), knowledge, InMemoryEventBus(), report_formats=()
    )
    spec = parse_input(example_inputs["healthtech-hipaa"])
    result: AssessmentResult = asyncio.run(pipeline.run(spec, run_id="ask-test")).result
    directory = tmp_path_factory.mktemp("run")
    (directory / "assessment.json").write_text(result.model_dump_json())
    return directory


@pytest.fixture(scope="module")
def mock_server() -> Iterator[MockLlm]:
    with running_mock_llm() as mock:
        yield mock


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PROVIDER", "BASE_URL", "MODEL", "API_KEY"):
        monkeypatch.delenv(f"{ENV_PREFIX}LLM_{name}", raising=False)


@pytest.fixture
def mock_llm(mock_server: MockLlm, monkeypatch: pytest.MonkeyPatch) -> MockLlm:
    """The LLM env vars point at the mock, which answers with the defaults until a test scripts it."""
    mock_server.profile = Profile()
    mock_server.reset()
    for name, value in {
        "PROVIDER": "openai",
        "BASE_URL": mock_server.base_url,
        "MODEL": "mock-llm",
        "RETRIES": "0",
        "CACHE_ENABLED": "false",
    }.items():
        monkeypatch.setenv(f"{ENV_PREFIX}LLM_{name}", value)
    monkeypatch.delenv(f"{ENV_PREFIX}LLM_API_KEY", raising=False)
    return mock_server


@pytest.fixture
def ask_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(ask)
    return app


@pytest.mark.usefixtures("offline")
def test_ask_prints_the_answer_with_citations(ask_app: typer.Typer, run_dir: Path) -> None:
    result = CliRunner().invoke(ask_app, [str(run_dir), UPTIME])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[1] Design uptime")
    assert "Sources:" in result.stdout
    assert "finding infra-design-uptime (infrastructure)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Answered by retrieval: the assessment's own words (no LLM configured)."
    )

    result = CliRunner().invoke(ask_app, [str(run_dir), "What is the capital of France?"])
    assert result.exit_code == 0
    assert result.stdout.startswith(NO_ANSWER)
    assert "Sources:" not in result.stdout


@pytest.mark.usefixtures("offline")
def test_ask_reports_a_missing_or_foreign_file(ask_app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(ask_app, [str(tmp_path / "nowhere"), "What is the uptime?"])
    assert result.exit_code == EXIT_ERROR
    assert "cannot read" in result.output
    (tmp_path / "assessment.json").write_text("{}")
    result = CliRunner().invoke(ask_app, [str(tmp_path), "What is the uptime?"])
    assert result.exit_code == EXIT_ERROR
    assert "is not an Infra Mind assessment" in result.output


def test_ask_answers_with_the_configured_llm(ask_app: typer.Typer, run_dir: Path, mock_llm: MockLlm) -> None:
    text = "The design composes to 99.93 % uptime per region [1]."
    mock_llm.add_rule(Rule(reply_json={"answer": text, "citations": [1]}))

    result = CliRunner().invoke(ask_app, [str(run_dir), UPTIME])

    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip().splitlines()
    assert lines[0] == text
    assert "  [1] finding infra-design-uptime (infrastructure)" in lines
    assert not any(line.startswith("  [2]") for line in lines)
    assert lines[-1] == "Answered by the LLM mock-llm, from the sources above."
    assert mock_llm.stats().completed == 1


def test_ask_falls_back_to_retrieval_when_the_llm_fails(
    ask_app: typer.Typer, run_dir: Path, mock_llm: MockLlm
) -> None:
    mock_llm.profile = Profile(faults=FaultPolicy(rate=1.0, kinds=(FaultKind.HTTP_500,)))

    result = CliRunner().invoke(ask_app, [str(run_dir), UPTIME])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[1] Design uptime")
    last = result.stdout.rstrip().splitlines()[-1]
    assert last.startswith(
        "Answered by retrieval: the assessment's own words; the LLM mock-llm was not used: "
        "the model call failed (llm_unavailable: server error (HTTP 500"
    )


def test_ask_rejects_an_incomplete_llm_configuration(
    ask_app: typer.Typer, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}LLM_PROVIDER", "openai")
    monkeypatch.delenv(f"{ENV_PREFIX}LLM_BASE_URL", raising=False)
    monkeypatch.setenv(f"{ENV_PREFIX}LLM_MODEL", "mock-llm")

    result = CliRunner().invoke(ask_app, [str(run_dir), UPTIME])

    assert result.exit_code == EXIT_INVALID
    assert "invalid configuration: INFRA_MIND_LLM_BASE_URL must be set" in result.output
