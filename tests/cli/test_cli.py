from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from infra_mind.agents.base import Agent
from infra_mind.agents.registry import AgentOptions
from infra_mind.cli.main import EXIT_INVALID, EXIT_NO_QUORUM, app
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.knowledge.catalog import Knowledge

from ..engine.agents_for_tests import Script, ScriptedAgent

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
HEALTHTECH = EXAMPLES[0].with_name("healthtech-hipaa.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_assess_writes_the_result_and_reports(runner: CliRunner, example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(example), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assessment = AssessmentResult.model_validate_json((out / "assessment.json").read_text())
    assert assessment.status.value == "completed"
    assert assessment.recommendations
    for name in ("executive.md", "technical.md"):
        text = (out / name).read_text()
        assert assessment.assessment_id in text
    assert not list(out.glob(".*.tmp"))


def test_sequential_mode_is_recorded(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", str(HEALTHTECH), "--out", str(tmp_path), "--mode", "sequential", "-q"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "assessment.json").read_text())
    assert data["execution_metrics"]["mode"] == "sequential"


def test_invalid_input_lists_every_error_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    raw: dict[str, Any] = yaml.safe_load(HEALTHTECH.read_text())
    raw["growth"]["users_12m"] = 1
    raw["workloads"][0]["requests_per_second"] = -3
    raw["performance"]["uptime_target_pct"] = 101
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(bad), "--out", str(out), "-q"])
    assert result.exit_code == EXIT_INVALID
    for path in ("growth.users_12m", "workloads[0].requests_per_second", "performance.uptime_target_pct"):
        assert path in result.output
    assert "3 error(s)" in result.output
    assert not out.exists()


def test_unreadable_input_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: [unclosed")
    assert runner.invoke(app, ["assess", str(bad), "-q"]).exit_code == EXIT_INVALID
    assert runner.invoke(app, ["assess", str(tmp_path / "missing.yaml"), "-q"]).exit_code == EXIT_INVALID


def test_unknown_format_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(HEALTHTECH), "--format", "md,docx", "--out", str(tmp_path)])
    assert result.exit_code == EXIT_INVALID
    assert "docx" in result.output


def test_quorum_not_met_exits_3_and_still_writes_the_result(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_agents(knowledge: Knowledge, options: AgentOptions) -> list[Agent]:
        return [ScriptedAgent(f"a{i}", Script(fail_with=RuntimeError("down"))) for i in range(3)]

    monkeypatch.setattr("infra_mind.engine.factory.build_agents", failing_agents)
    result = runner.invoke(app, ["assess", str(HEALTHTECH), "--out", str(tmp_path), "-q"])
    assert result.exit_code == EXIT_NO_QUORUM
    data = json.loads((tmp_path / "assessment.json").read_text())
    assert data["status"] == "failed"
    assert "failed: down" in (tmp_path / "executive.md").read_text()


def test_validate_shows_what_phase_one_derives(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(HEALTHTECH)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "hipaa" in result.output


def test_validate_rejects_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"company": {}}))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == EXIT_INVALID
    assert "company.name" in result.output


@pytest.mark.parametrize(
    ("variable", "value"),
    [("INFRA_MIND_QUORUM", "2"), ("INFRA_MIND_LOG_LEVEL", "verbose"), ("INFRA_MIND_AGENT_RETRIES", "many")],
)
@pytest.mark.parametrize("command", ["assess", "validate"])
def test_a_bad_setting_is_named_and_exits_2(
    runner: CliRunner, tmp_path: Path, command: str, variable: str, value: str
) -> None:
    args = [command, str(HEALTHTECH)] + (
        ["--out", str(tmp_path / "out"), "-q"] if command == "assess" else []
    )
    result = runner.invoke(app, args, env={variable: value})

    assert result.exit_code == EXIT_INVALID, result.output
    assert "invalid configuration" in result.output
    assert variable in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_log_level_is_case_insensitive(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(HEALTHTECH)], env={"INFRA_MIND_LOG_LEVEL": "info"})
    assert result.exit_code == 0, result.output


def test_region_errors_are_listed_with_the_field_errors(runner: CliRunner, tmp_path: Path) -> None:
    raw: dict[str, Any] = yaml.safe_load(HEALTHTECH.read_text())
    raw["providers"]["preferred_regions"] = ["mars-north-1"]
    raw["team"]["cloud_expertise"] = 9
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))

    for command in (["validate", str(bad)], ["assess", str(bad), "--out", str(tmp_path / "out"), "-q"]):
        result = runner.invoke(app, command)
        assert result.exit_code == EXIT_INVALID
        assert "2 error(s)" in result.output
        assert "providers.preferred_regions[0]" in result.output
        assert "team.cloud_expertise" in result.output


def test_validate_names_the_defaults_and_separates_gpus(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(HEALTHTECH)])

    text = " ".join(result.output.split())  # the console wraps long lines

    assert result.exit_code == 0, result.output
    assert "default workloads[1].avg_response_kb = 10" in text
    assert "1 serving GPU(s), 0 training GPU-hours/month" in text
