from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt

from infra_mind.config import Settings
from infra_mind.domain.agent_result import AgentNarrative, DroppedItem, NarrativeSource
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.html import markdown_renderer
from infra_mind.reports.narratives import markdown_text
from infra_mind.reports.render import make_environment
from infra_mind.reports.view import ReportView


def test_model_text_cannot_add_markup_to_a_report() -> None:
    hostile = "# Title\n![x](http://tracker.example/p.png) [click](http://evil.example) <b>bold</b> | a |"
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown_text(hostile))
    assert "<img" not in html
    assert "<a " not in html
    assert "<h1>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert markdown_text("1. first") == "1\\. first"
    assert markdown_text("- item") == "\\- item"


def test_technical_report_shows_each_narrative_and_who_wrote_it(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: Callable[[dict[str, Any]], AssessmentContext],
) -> None:
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus(), report_formats=("md",))
    outcome = asyncio.run(pipeline.run(parse_input(healthtech), run_id="r"))
    result = outcome.result
    cto = result.agents["cto"]
    assert cto.narrative is not None
    llm_written = AgentNarrative(
        text="First paragraph.\n\nSecond [paragraph](http://x).",
        source=NarrativeSource.LLM,
        model="gpt-4o-mini",
        insights=["An insight."],
        dropped=[DroppedItem(kind="extra_recommendation", item="x", reason="not in the catalog")],
    )
    degraded = cto.narrative.model_copy(update={"degraded": "llm_timeout: the call timed out"})
    agents = {
        **result.agents,
        "cloud_engineer": result.agents["cloud_engineer"].model_copy(update={"narrative": llm_written}),
        "cto": cto.model_copy(update={"narrative": degraded}),
    }
    view = ReportView.build(result.model_copy(update={"agents": agents}), make_context(healthtech))
    env = make_environment()
    technical = env.get_template("technical.md.j2").render(
        v=view, kind="technical", html=False, printed=False
    )
    section = technical[technical.index("## Agent narratives") : technical.index("## Execution metrics")]
    assert "### cloud_engineer — LLM narrative (model gpt-4o-mini)" in section
    assert "> First paragraph.\n>\n> Second \\[paragraph\\](http://x)." in section
    assert "- An insight." in section
    assert "1 item(s) of the LLM's reply were dropped" in section
    assert "### cto — offline narrative" in section
    assert "_The LLM's narrative was not used (llm_timeout: the call timed out)" in section
    assert "### security — offline narrative" in section
    assert "LLM: offline (no model called" in technical
    html = markdown_renderer().render(section)
    assert '<a href="http://x"' not in html

    printed = env.get_template("technical.md.j2").render(v=view, kind="technical", html=True, printed=True)
    printed_section = printed[printed.index("## Agent narratives") : printed.index("## Execution metrics")]
    assert "technical.html and technical.md" in printed_section
    assert "1 replaced by the offline one after an LLM failure" in printed_section
    assert "First paragraph" not in printed_section
