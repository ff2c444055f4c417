from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import DEPLOY

GRAFANA = DEPLOY / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
GRID_WIDTH = 24


def _provisioned_datasource_uids() -> set[str]:
    uids: set[str] = set()
    for path in (GRAFANA / "provisioning" / "datasources").glob("*.yml"):
        uids.update(source["uid"] for source in yaml.safe_load(path.read_text())["datasources"])
    return uids


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_there_are_dashboards() -> None:
    assert len(DASHBOARDS) >= 2


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_well_formed(path: Path) -> None:
    dashboard = _load(path)
    assert isinstance(dashboard["schemaVersion"], int)
    assert dashboard["uid"]
    assert dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert {"x", "y", "w", "h"} <= set(grid), panel["title"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= GRID_WIDTH, panel["title"]
        assert panel["targets"], panel["title"]
        assert all(target["expr"].strip() for target in panel["targets"]), panel["title"]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_queries_the_provisioned_datasource(path: Path) -> None:
    uids = _provisioned_datasource_uids()
    for panel in _load(path)["panels"]:
        assert panel["datasource"]["uid"] in uids, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in uids, panel["title"]


def test_dashboard_uids_are_unique() -> None:
    uids = [_load(path)["uid"] for path in DASHBOARDS]
    assert len(uids) == len(set(uids))


def test_the_provider_loads_the_dashboards_grafana_mounts(compose: dict[str, Any]) -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "infra-mind.yml").read_text())
    path = provider["providers"][0]["options"]["path"]
    assert f"./grafana/dashboards:{path}:ro" in compose["services"]["grafana"]["volumes"]


@pytest.mark.parametrize(
    "panel_title",
    [
        "Run duration p50 / p95",
        "Agent duration p95",
        "Agent outcomes per minute",
        "API latency p50 / p95 / p99",
        "API errors by route (5xx per second)",
        "LLM tokens per minute",
        "LLM cost per hour (known prices)",
        "Queue depth and runs in flight",
        "Workers answering over time",
    ],
)
def test_the_runbook_panels_exist(panel_title: str) -> None:
    titles = {panel["title"] for path in DASHBOARDS for panel in _load(path)["panels"]}
    assert panel_title in titles
