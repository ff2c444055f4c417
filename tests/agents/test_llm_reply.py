from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra_mind.agents.llm_reply import (
    LLM_CATEGORY,
    MAX_EXTRA_RECOMMENDATIONS,
    MAX_INSIGHTS,
    MAX_NARRATIVE_CHARS,
    AgentInsightReply,
    CheckedReply,
    ProposedRecommendation,
    check_reply,
)
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Pillar
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.grounding import Grounding


def proposal(**changes: Any) -> ProposedRecommendation:
    values: dict[str, Any] = {
        "title": "Put the API tier on m6i.large",
        "rationale": "The findings size the API tier at two vCPU per instance.",
        "actions": ["Create the autoscaling group"],
        "pillar": "Performance",
        "priority": "medium",
        "provider": "AWS",
        "sku": "m6i.large",
        "region": "us-east-1",
    }
    return ProposedRecommendation(**{**values, **changes})


@pytest.fixture
def check(
    knowledge: Knowledge,
    make_context: Callable[[dict[str, Any]], AssessmentContext],
    healthtech: dict[str, Any],
) -> Callable[[AgentInsightReply], CheckedReply]:
    ctx, grounding = make_context(healthtech), Grounding(knowledge)

    def run(reply: AgentInsightReply) -> CheckedReply:
        return check_reply(reply, agent="cto", model="m", ctx=ctx, grounding=grounding)

    return run


def test_a_grounded_proposal_becomes_a_low_confidence_recommendation(
    check: Callable[[AgentInsightReply], CheckedReply],
) -> None:
    checked = check(AgentInsightReply(narrative="ok", extra_recommendations=[proposal()]))
    [rec] = checked.recommendations
    assert (rec.key, rec.category, rec.pillar, rec.agents) == (
        "llm:aws:m6i.large@us-east-1",
        LLM_CATEGORY,
        Pillar.PERFORMANCE,
        ["cto"],
    )
    assert (rec.provider, rec.services, rec.regions, rec.monthly_cost_delta) == (
        "aws",
        ["m6i.large"],
        ["us-east-1"],
        None,
    )
    assert checked.dropped == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sku": "x1e.fake"}, "not in the catalog: aws has no SKU 'x1e.fake'"),
        ({"provider": "oracle"}, "not in the catalog: unknown provider 'oracle'"),
        ({"region": "moon-base-1"}, "not in the catalog: aws has no region 'moon-base-1'"),
        ({"region": "eu-central-1"}, "eu-central-1 is not among the regions this assessment allows"),
        ({"sku": None}, "names no service or SKU"),
        ({"pillar": "vibes"}, "unknown pillar 'vibes'"),
        ({"actions": ["  "]}, "no rationale or no actions"),
        ({"title": "x" * 400}, "the title must have 1 to"),
    ],
)
def test_an_invalid_or_ungrounded_proposal_is_dropped_with_its_reason(
    check: Callable[[AgentInsightReply], CheckedReply], changes: dict[str, Any], reason: str
) -> None:
    checked = check(AgentInsightReply(narrative="ok", extra_recommendations=[proposal(**changes)]))
    assert checked.recommendations == []
    [dropped] = checked.dropped
    assert dropped.kind == "extra_recommendation"
    assert dropped.reason.startswith(reason)


def test_a_catalogued_service_without_a_sku_is_grounded(
    check: Callable[[AgentInsightReply], CheckedReply],
) -> None:
    service = proposal(sku=None, service="Amazon Elastic Kubernetes Service (EKS)", region=None)
    [rec] = check(AgentInsightReply(narrative="ok", extra_recommendations=[service])).recommendations
    assert rec.services == ["Amazon Elastic Kubernetes Service (EKS)"]


def test_counts_and_lengths_are_capped(check: Callable[[AgentInsightReply], CheckedReply]) -> None:
    reply = AgentInsightReply(
        narrative="a\x1b[31m b\u200b\n\n" + "x" * MAX_NARRATIVE_CHARS,
        insights=[f"insight {i}" for i in range(MAX_INSIGHTS + 2)] + ["y" * 1000],
        extra_recommendations=[proposal(title=f"Option {i}") for i in range(MAX_EXTRA_RECOMMENDATIONS + 1)],
    )
    checked = check(reply)
    assert checked.narrative.startswith("a[31m b\n\nxxx")
    assert len(checked.narrative) <= MAX_NARRATIVE_CHARS + 2
    assert len(checked.insights) == MAX_INSIGHTS
    assert len(checked.recommendations) == MAX_EXTRA_RECOMMENDATIONS
    reasons = sorted({d.kind: d.reason for d in checked.dropped}.items())
    assert [kind for kind, _ in reasons] == ["extra_recommendation", "insight", "narrative"]
    assert sum(d.kind == "insight" for d in checked.dropped) == 3
