from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file, parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Orchestrator
from infra_mind.engine.pipeline import Pipeline
from infra_mind.knowledge.catalog import Knowledge

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
        out[example.stem] = {r.filename: r.content for r in outcome.reports}
    return out


def test_both_markdown_reports_per_example(reports: dict[str, dict[str, str]]) -> None:
    for files in reports.values():
        assert set(files) == {"executive.md", "technical.md"}


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


def test_a_failed_agent_section_says_what_is_missing_and_why(
    knowledge: Knowledge, healthtech: dict[str, Any]
) -> None:
    agents = [
        ScriptedAgent("compliance", Script(fail_with=RuntimeError("controls catalog unreadable"))),
        ScriptedAgent("x"),
        ScriptedAgent("y"),
    ]
    pipeline = Pipeline(knowledge, Orchestrator(agents), InMemoryEventBus(), report_formats=("md",))
    outcome = asyncio.run(pipeline.run(parse_input(healthtech), run_id="r"))
    for report in outcome.reports:
        assert "the `compliance` agent failed: controls catalog unreadable" in report.content
        assert "the `cto` agent was not part of this run" in report.content
