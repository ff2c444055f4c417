"""Each agent's narrative as the reports show it: who wrote it (the LLM and its model, or the offline
templates), why an LLM narrative was replaced, and the text made safe to place in Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra_mind.domain.agent_result import AgentNarrative, NarrativeSource
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.reports.markdown_text import MarkdownSource

_MARKUP = re.compile(r"([\\`\[\]<>|!&])")
_LIST_START = re.compile(r"^(\s*)(?:([-+=#*_])|(\d+)([.)])(?=\s|$))", re.MULTILINE)


@dataclass(frozen=True)
class NarrativeView:
    agent: str
    label: str
    paragraphs: list[list[MarkdownSource]]
    """Lines of each paragraph, kept as lines (the offline narrative lists findings one a line)."""
    insights: list[MarkdownSource]
    degraded: MarkdownSource | None
    dropped: int


def narratives(result: AssessmentResult) -> list[NarrativeView]:
    return [_view(name, r.narrative) for name, r in result.agents.items() if r.ok and r.narrative is not None]


def _view(agent: str, narrative: AgentNarrative) -> NarrativeView:
    if narrative.source is NarrativeSource.LLM:
        label = f"LLM narrative (model {narrative.model})"
    else:
        label = "offline narrative"
    return NarrativeView(
        agent=agent,
        label=label,
        paragraphs=[
            [markdown_text(line) for line in p.splitlines() if line.strip()]
            for p in narrative.text.split("\n\n")
            if p.strip()
        ],
        insights=[markdown_text(i) for i in narrative.insights],
        degraded=markdown_text(narrative.degraded) if narrative.degraded else None,
        dropped=len(narrative.dropped),
    )


def markdown_text(text: str) -> MarkdownSource:
    """Text that renders as itself: a model's reply (or the user text it quotes) cannot add links,
    images, headings, tables or raw HTML to a report."""
    escaped = _MARKUP.sub(r"\\\1", text.strip())
    return MarkdownSource(_LIST_START.sub(_escape_list_marker, escaped))


def _escape_list_marker(match: re.Match[str]) -> str:
    indent, bullet, number, delimiter = match.groups()
    return f"{indent}\\{bullet}" if bullet else f"{indent}{number}\\{delimiter}"
