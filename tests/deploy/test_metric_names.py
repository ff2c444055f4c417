"""Every metric an alert or a dashboard queries is one the app exports: a renamed metric fails here."""

from __future__ import annotations

import json
import re
from typing import Any

from infra_mind.observability.metrics import Metrics

from .conftest import DEPLOY

METRIC_NAME = re.compile(r"\binfra_mind_[a-zA-Z0-9_]+")
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def _exported_sample_names() -> set[str]:
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names.update(family.name + suffix for suffix in SAMPLE_SUFFIXES[family.type])
    return names


def _dashboard_exprs() -> dict[str, str]:
    exprs = {}
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                exprs[f"{path.name} / {panel['title']} / {target['refId']}"] = target["expr"]
    return exprs


def _unknown(exprs: dict[str, str]) -> dict[str, set[str]]:
    exported = _exported_sample_names()
    unknown = {where: set(METRIC_NAME.findall(expr)) - exported for where, expr in exprs.items()}
    return {where: names for where, names in unknown.items() if names}


def test_the_exported_names_include_the_known_series() -> None:
    exported = _exported_sample_names()
    assert {
        "infra_mind_http_requests_total",
        "infra_mind_run_duration_seconds_bucket",
        "infra_mind_queue_depth",
        "infra_mind_workers",
    } <= exported
    assert "infra_mind_http_requests" not in exported


def test_alerts_query_only_exported_metrics(alert_rules: list[dict[str, Any]]) -> None:
    exprs = {rule["alert"]: rule["expr"] for rule in alert_rules}
    assert all(METRIC_NAME.search(expr) for expr in exprs.values())
    assert _unknown(exprs) == {}


def test_dashboards_query_only_exported_metrics() -> None:
    exprs = _dashboard_exprs()
    assert exprs
    assert _unknown(exprs) == {}


def test_a_misspelt_metric_is_reported() -> None:
    assert _unknown({"x": "rate(infra_mind_run_duration_second_count[5m])"}) == {
        "x": {"infra_mind_run_duration_second_count"}
    }
