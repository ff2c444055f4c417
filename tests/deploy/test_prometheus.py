from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from ..conftest import skip_or_fail_in_ci
from .conftest import DEPLOY

PROMETHEUS = DEPLOY / "prometheus"
SEVERITIES = {"warning", "critical"}
RUNBOOK = DEPLOY.parent / "docs" / "OPERATIONS.md"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    if promtool is None:
        skip_or_fail_in_ci("promtool is not on PATH (Debian package: prometheus)")
    return subprocess.run(
        [promtool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("check", "rules", "alerts.yml"),
        ("check", "config", "prometheus.yml"),
        ("test", "rules", "alerts_test.yml"),
    ],
    ids=["check-rules", "check-config", "test-rules"],
)
def test_promtool_accepts(args: tuple[str, ...]) -> None:
    result = _promtool(*args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_waits_is_graded_and_says_what_to_do(alert_rules: list[dict[str, Any]]) -> None:
    assert {rule["alert"] for rule in alert_rules} == {
        "InfraMindRunsSlow",
        "InfraMindAgentSuccessLow",
        "InfraMindApiErrors",
        "InfraMindQueueGrowing",
        "InfraMindNoWorkers",
    }
    for rule in alert_rules:
        assert rule["for"], rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert rule["annotations"]["description"].strip(), rule["alert"]


def test_every_alert_is_unit_tested(alert_rules: list[dict[str, Any]]) -> None:
    tested = (PROMETHEUS / "alerts_test.yml").read_text()
    missing = [rule["alert"] for rule in alert_rules if f"alertname: {rule['alert']}\n" not in tested]
    assert missing == []


def test_the_scrape_config_finds_every_replica() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    discovered = {
        job["job_name"]: (sd["names"], sd["type"], sd["port"])
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
    }
    assert discovered == {
        "infra-mind-api": (["api"], "A", 8000),
        "infra-mind-worker": (["worker"], "A", 9808),
    }
    assert config["rule_files"] == ["alerts.yml"]


def test_every_alert_has_a_runbook_entry(alert_rules: list[dict[str, Any]]) -> None:
    runbook = RUNBOOK.read_text()
    missing = [rule["alert"] for rule in alert_rules if f"**{rule['alert']}.**" not in runbook]
    assert missing == []
