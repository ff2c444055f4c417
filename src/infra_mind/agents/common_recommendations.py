"""Recommendations more than one agent proposes under the same key, so synthesis merges them."""

from __future__ import annotations

from infra_mind.agents.evidence import Recommender, line_evidence
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Priority, Recommendation
from infra_mind.domain.pricing import BomLine


def cdn_recommendation(rec: Recommender, cdn: BomLine, rationale_suffix: str = "") -> Recommendation:
    return rec.make(
        "edge:cdn",
        f"Serve static and cacheable content through {cdn.service}",
        category="network",
        pillar=Pillar.PERFORMANCE,
        priority=Priority.MEDIUM,
        impact=3,
        effort=1,
        confidence=0.8,
        rationale=cdn.assumption + rationale_suffix,
        actions=["Put the CDN in front of the load balancer", "Set cache headers on static assets"],
        evidence=[line_evidence(cdn)],
        best_practices=("COST08-BP03", "PERF03-BP05"),
        monthly_cost_in_plan=cdn.monthly_usd,
        provider=cdn.provider,
        services=[cdn.service],
        regions=[cdn.region],
    )
