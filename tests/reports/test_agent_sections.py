"""The technical, CFO and engineering-lead reports show the mlops, ai_consultant, research, web_research and
simulation outputs, and say which section is missing when an agent did not run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from infra_mind.agents.base import Agent
from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file, parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Orchestrator
from infra_mind.engine.pipeline import Pipeline
from infra_mind.knowledge.catalog import Knowledge

from ..engine.agents_for_tests import Script, ScriptedAgent

LLM_SCALEUP = Path(__file__).resolve().parents[2] / "examples" / "llm-scaleup.yaml"


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + len(heading) + 2)
    return text[start : end if end != -1 else len(text)]


def test_the_llm_scaleup_reports_show_every_agents_section(knowledge: Knowledge) -> None:
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())
    outcome = asyncio.run(pipeline.run(load_input_file(LLM_SCALEUP), run_id="llm"))
    files = {r.filename: str(r.content) for r in outcome.reports}
    technical, cfo, lead = files["technical.md"], files["cfo.md"], files["engineering_lead.md"]

    ai = _section(technical, "## AI and ML")
    assert "Platform: **" in ai
    assert "| Option | Platform | Team can run it |" in ai
    assert "Training:" in ai
    assert "Serving at peak:" in ai
    assert "AI readiness **" in ai
    assert "| Workload | Requests/day | Choice |" in ai
    assert "This section is missing" not in ai

    benchmarks = _section(technical, "## Benchmarks")
    assert "(outlier)**" in benchmarks
    assert "Sources:" in benchmarks

    freshness = _section(technical, "## Catalog freshness")
    assert "Live price check: **" in freshness
    assert "| Catalog kind | Records | Stale |" in freshness
    assert "@" not in freshness  # the per-record ages list stays out

    uncertainty = _section(cfo, "## Cost uncertainty and purchase strategies")
    assert "| Provider | On demand | 1-year commitment | 3-year commitment | Spot share |" in uncertainty
    assert "(recommended)" in uncertainty
    assert "| Driver | What moves | Low total | High total | Swing |" in uncertainty

    capacity = _section(lead, "## Capacity at peak (queueing model)")
    assert "(planned)" in capacity
    assert "| Workload | Instance | λ (req/s) |" in capacity


def test_without_those_agents_each_section_says_what_is_missing(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    agents: list[Agent] = [
        ScriptedAgent("simulation", Script(fail_with=RuntimeError("numpy exploded"))),
        ScriptedAgent("x"),
        ScriptedAgent("y"),
    ]
    pipeline = Pipeline(knowledge, Orchestrator(agents), InMemoryEventBus(), report_formats=("md",))
    outcome = asyncio.run(pipeline.run(parse_input(healthtech), run_id="r"))
    files = {r.filename: str(r.content).replace("`", "") for r in outcome.reports}
    technical = files["technical.md"]
    for agent, heading in (
        ("mlops", "## AI and ML"),
        ("ai_consultant", "## AI and ML"),
        ("research", "## Benchmarks"),
        ("web_research", "## Catalog freshness"),
    ):
        assert f"the {agent} agent was not part of this run" in _section(technical, heading), agent
    failed = "the simulation agent failed: numpy exploded"
    assert failed in _section(files["cfo.md"], "## Cost uncertainty and purchase strategies")
    assert failed in _section(files["engineering_lead.md"], "## Capacity at peak (queueing model)")
