from __future__ import annotations

import asyncio
from typing import Any

import pytest

from infra_mind.config import Settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.services import ControlStatus
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge


def assess(knowledge: Knowledge, raw: dict[str, Any]) -> AssessmentResult:
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())
    return asyncio.run(pipeline.run(parse_input(raw), run_id="scoring")).result


def test_every_control_is_scored_and_counts_match_the_agent(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    result = assess(knowledge, healthtech)
    assert result.compliance is not None
    agent = {f.framework: f for f in result.agents["compliance"].output.frameworks}  # type: ignore[union-attr]
    for score in result.compliance.frameworks:
        assert len(score.detail) == score.controls == agent[score.framework].controls_total
        assert score.met_now == agent[score.framework].met_now
        assert score.met_by_design == agent[score.framework].met_by_design
        assert score.open_gaps == [d.control_id for d in score.detail if d.status is ControlStatus.GAP]


def test_controls_not_met_today_name_the_recommendation_that_closes_them(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    result = assess(knowledge, healthtech)
    assert result.compliance is not None
    by_id = {r.id: r for r in result.recommendations}
    hipaa = result.compliance.frameworks[0]
    by_design = [d for d in hipaa.detail if d.status is ControlStatus.MET_BY_DESIGN]
    assert by_design
    for control in by_design:
        assert control.closed_by, control
        keys = {by_id[rec_id].key for rec_id in control.closed_by}
        assert keys <= {f"control:{c}" for c in control.missing_controls}
    procedural = [d for d in hipaa.detail if d.status is ControlStatus.GAP and not d.missing_controls]
    assert procedural
    assert all(by_id[d.closed_by[0]].key == "compliance:hipaa" for d in procedural)


def test_controls_in_place_today_need_no_recommendation(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    healthtech["security"]["existing_controls"] = [
        "encryption_at_rest",
        "encryption_in_transit",
        "mfa",
        "rbac",
        "audit_logging",
        "monitoring",
    ]
    result = assess(knowledge, healthtech)
    assert result.compliance is not None
    met_now = [d for d in result.compliance.frameworks[0].detail if d.status is ControlStatus.MET_NOW]
    assert met_now
    assert all(d.closed_by == [] and d.missing_controls == [] for d in met_now)


@pytest.mark.parametrize("frameworks", [[]])
def test_no_compliance_duties_scores_nothing(
    knowledge: Knowledge, healthtech: dict[str, Any], frameworks: list[str]
) -> None:
    healthtech["compliance"]["frameworks"] = frameworks
    healthtech["security"]["data_types"] = []
    result = assess(knowledge, healthtech)
    assert result.compliance is not None
    assert result.compliance.frameworks == []
