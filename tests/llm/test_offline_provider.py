from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from infra_mind.llm.errors import InvalidReply
from infra_mind.llm.offline_provider import OfflineProvider, render_narrative
from infra_mind.llm.provider import LlmRequest

FINDINGS: dict[str, Any] = {
    "summary": "The design meets the 99.9 % target in two zones.",
    "findings": [
        {"title": "No cross-region backups", "detail": "RPO of 1 h cannot be met.", "severity": "high"},
        {"title": "Single NAT gateway", "severity": "medium"},
    ],
    "recommendations": [
        {"title": "Enable cross-region snapshot copy", "rationale": "Meets the RPO.", "priority": "high"}
    ],
    "facts": {"zones": 2, "monthly cost (USD)": 4210.5},
}


class Section(BaseModel):
    narrative: str
    findings: list[dict[str, Any]] = []
    extra_recommendations: list[str] = []


class NeedsInsight(BaseModel):
    insight: str


def request(data: dict[str, Any], schema: type[BaseModel] | None = None) -> LlmRequest:
    return LlmRequest(
        agent="infrastructure", purpose="narrative", system="ignored offline", data=data, schema=schema
    )


def test_narrative_reads_from_the_structured_findings() -> None:
    text = render_narrative("infrastructure", FINDINGS)

    assert text == (
        "Infrastructure: The design meets the 99.9 % target in two zones.\n\n"
        "Key findings:\n"
        "1. No cross-region backups (high) — RPO of 1 h cannot be met.\n"
        "2. Single NAT gateway (medium)\n\n"
        "Recommended next steps:\n"
        "1. Enable cross-region snapshot copy (high) — Meets the RPO.\n\n"
        "Figures used: monthly cost (USD): 4,210.50; zones: 2."
    )


def test_long_lists_are_cut_with_a_pointer() -> None:
    data = {"findings": [{"title": f"Finding {n}"} for n in range(8)]}

    text = render_narrative("security", data)

    assert "5. Finding 4" in text
    assert "Finding 5" not in text
    assert "(3 more in the detailed section.)" in text


def test_without_data_it_says_so() -> None:
    assert render_narrative("cto", {}) == "Cto.\n\nNo structured findings were provided for this section."


async def test_offline_is_deterministic_and_free() -> None:
    provider = OfflineProvider()

    first = await provider.complete(request(FINDINGS))
    second = await provider.complete(request(FINDINGS))

    assert first.text == second.text
    assert first.cost_usd == 0
    assert (first.usage.tokens_in, first.usage.tokens_out) == (0, 0)
    assert first.model == "offline"


async def test_schema_is_filled_from_data_and_narrative() -> None:
    reply = await OfflineProvider().complete(request(FINDINGS, Section))

    assert isinstance(reply.parsed, Section)
    assert reply.parsed.narrative == render_narrative("infrastructure", FINDINGS)
    assert reply.parsed.findings == FINDINGS["findings"]
    assert reply.parsed.extra_recommendations == []
    assert Section.model_validate_json(reply.text) == reply.parsed
    assert reply.structured_mode == "offline"


async def test_schema_it_cannot_fill_is_an_invalid_reply() -> None:
    with pytest.raises(InvalidReply, match="cannot fill NeedsInsight"):
        await OfflineProvider().complete(request(FINDINGS, NeedsInsight))
