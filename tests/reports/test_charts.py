from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from infra_mind.config import Settings
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.charts import CHARTS, Charts
from infra_mind.reports.view import ReportView

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "llm-scaleup.yaml"


@pytest.fixture(scope="module")
def view() -> ReportView:
    knowledge = Knowledge.load()
    spec = load_input_file(EXAMPLE)
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus(), report_formats=("md",))
    outcome = asyncio.run(pipeline.run(spec, run_id="charts"))
    return ReportView.build(outcome.result, build_context(spec, knowledge))


def _texts(svg: str) -> str:
    return " ".join(t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))


def test_every_chart_is_well_formed_svg_with_prefixed_ids(view: ReportView) -> None:
    charts = Charts(view)
    for name in CHARTS:
        chart = charts.get(name)
        assert chart is not None, name
        root = ET.fromstring(chart.svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert all(i.startswith(f"{name}-") for i in re.findall(r'\bid="([^"]+)"', chart.svg))
        assert "style=" not in chart.svg


def test_charts_are_deterministic(view: ReportView) -> None:
    assert Charts(view).get("provider_costs") == Charts(view).get("provider_costs")


def test_provider_chart_marks_lower_bounds(view: ReportView) -> None:
    assert view.cloud is not None
    assert any(not q.complete for q in view.cloud.quotes)
    chart = Charts(view).get("provider_costs")
    assert chart is not None
    texts = _texts(chart.svg)
    assert "lower bound" in texts
    for quote in view.cloud.quotes:
        assert f"{len(quote.missing)} unpriced" in texts


def test_forecast_draws_the_scenarios_and_the_simulated_band(view: ReportView) -> None:
    agents = {name: r for name, r in view.result.agents.items() if name != "simulation"}
    alone = ReportView.build(view.result.model_copy(update={"agents": agents}), view.ctx)
    chart = Charts(alone).get("cost_forecast")
    assert chart is not None
    texts = _texts(chart.svg)
    assert view.result.cost_model is not None
    assert all(s.name in texts for s in view.result.cost_model.scenarios)
    assert "P10–P90" not in texts
    assert "lower bound" in texts


def test_timeline_has_one_bar_per_agent(view: ReportView) -> None:
    chart = Charts(view).get("agent_timeline")
    assert chart is not None
    assert _texts(chart.svg).count(" ms · completed") == len(view.result.agents)


def test_a_chart_without_data_is_absent(view: ReportView) -> None:
    bare = AssessmentResult.model_validate(
        view.result.model_dump() | {"agents": {}, "cost_model": None, "compliance": None}
    )
    charts = Charts(ReportView.build(bare, view.ctx))
    assert all(charts.get(name) is None for name in CHARTS)
