from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from infra_mind.agents.base import Agent
from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file, parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Orchestrator
from infra_mind.engine.pipeline import Pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.render import REPORT_KINDS

from ..engine.agents_for_tests import Script, ScriptedAgent

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
LEAKS = re.compile(r"\bNone\b|\bnan\b|\{\{|\}\}|\{%|(?i:TODO|placeholder|lorem ipsum)")


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, str]]:
    knowledge = Knowledge.load()
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus())
    out = {}
    for example in EXAMPLES:
        outcome = asyncio.run(pipeline.run(load_input_file(example), run_id=example.stem))
        out[example.stem] = {r.filename: str(r.content) for r in outcome.reports}
    return out


def test_every_markdown_report_per_example(reports: dict[str, dict[str, str]]) -> None:
    for files in reports.values():
        assert set(files) == {f"{kind}.md" for kind in REPORT_KINDS}


def test_no_template_leaks_or_placeholder_text(reports: dict[str, dict[str, str]]) -> None:
    for example, files in reports.items():
        for name, text in files.items():
            leak = LEAKS.search(text)
            assert leak is None, f"{example}/{name}: {text[max(0, leak.start() - 80) : leak.end() + 80]!r}"


def test_tables_are_well_formed(reports: dict[str, dict[str, str]]) -> None:
    for files in reports.values():
        for text in files.values():
            for block in re.findall(r"(?:^\|.*\|\n)+", text, flags=re.MULTILINE):
                rows = [r for r in block.splitlines() if r.strip()]
                widths = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
                assert len(widths) == 1, block


def test_technical_report_lists_every_priced_line_with_its_date(reports: dict[str, dict[str, str]]) -> None:
    for files in reports.values():
        technical = files["technical.md"]
        assert "## Bill of materials and assumption ledger" in technical
        assert re.search(r"\| \d{4}-\d{2}-\d{2}", technical)


SECTIONS_BY_AGENT = {
    "compliance": ("executive", "technical", "ciso"),
    "cto": ("executive", "technical", "cfo", "engineering_lead"),
    "cloud_engineer": ("executive", "technical", "cfo", "engineering_lead"),
    "infrastructure": ("technical", "engineering_lead"),
    "security": ("ciso",),
}


def test_a_failed_agent_section_says_what_is_missing_and_why(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    agents: list[Agent] = [
        ScriptedAgent("compliance", Script(fail_with=RuntimeError("controls catalog unreadable"))),
        ScriptedAgent("x"),
        ScriptedAgent("y"),
    ]
    pipeline = Pipeline(knowledge, Orchestrator(agents), InMemoryEventBus(), report_formats=("md", "html"))
    outcome = asyncio.run(pipeline.run(parse_input(healthtech), run_id="r"))
    reports = {r.filename: str(r.content) for r in outcome.reports}
    for kind in REPORT_KINDS:
        for fmt in ("md", "html"):
            text = re.sub(r"<[^>]+>|`|\*\*", "", reports[f"{kind}.{fmt}"])
            assert "compliance failed: controls catalog unreadable" in text
            if kind in SECTIONS_BY_AGENT["compliance"]:
                assert "the compliance agent failed: controls catalog unreadable" in text
            for agent, kinds in SECTIONS_BY_AGENT.items():
                if agent != "compliance" and kind in kinds:
                    assert f"the {agent} agent was not part of this run" in text, (kind, agent)


def _no_compliance(raw: dict[str, Any]) -> None:
    raw["company"]["industry"] = "technology"
    raw["security"]["data_types"] = []
    raw["security"]["data_classification"] = "internal"
    raw["compliance"] = {"frameworks": [], "data_residency": []}


def _no_ai(raw: dict[str, Any]) -> None:
    raw["workloads"] = [w for w in raw["workloads"] if w["type"] != "ml_inference"]
    raw.pop("ai_ml")


def _tiny_budget(raw: dict[str, Any]) -> None:
    raw["budget"] = {"monthly_limit_usd": 50, "flexibility": "strict"}


def _huge_scale(raw: dict[str, Any]) -> None:
    api = next(w for w in raw["workloads"] if w["type"] == "api")
    raw["workloads"] += [{**api, "name": f"api-{i}", "requests_per_second": 5000} for i in range(60)]
    raw["growth"] = {
        "current_users": 5_000_000,
        "users_6m": 8_000_000,
        "users_12m": 12_000_000,
        "users_24m": 30_000_000,
    }


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_no_compliance, {"ciso.md": "No compliance framework applies to this input"}),
        (_no_ai, {}),
        (_tiny_budget, {"cfo.md": "| **no** |"}),
        (_huge_scale, {}),
    ],
    ids=["no-compliance-duties", "no-ai-workloads", "tiny-budget", "huge-scale"],
)
def test_edge_cases_render_every_report_without_leaks(
    knowledge: Knowledge, healthtech: dict[str, Any], edit: Any, expected: dict[str, str]
) -> None:
    edit(healthtech)
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus(), report_formats=("md", "json", "csv"))
    outcome = asyncio.run(pipeline.run(parse_input(healthtech), run_id="edge"))
    files = {r.filename: str(r.content) for r in outcome.reports}
    assert len(files) == 2 * len(REPORT_KINDS) + 1
    for name, text in files.items():
        if name.endswith(".md"):
            leak = LEAKS.search(text)
            assert leak is None, f"{name}: {text[max(0, leak.start() - 80) : leak.end() + 80]!r}"
    for name, fragment in expected.items():
        assert fragment in files[name]
