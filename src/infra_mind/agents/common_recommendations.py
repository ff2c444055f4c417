"""Recommendations more than one agent proposes under the same key, so synthesis merges them."""

from __future__ import annotations

from infra_mind.agents.evidence import Recommender, line_evidence
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Evidence, Priority, Recommendation
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


def gpu_recommendation(
    rec: Recommender,
    workload: str,
    line: BomLine,
    *,
    provider: str,
    region: str,
    rationale: str,
    load_test: str,
    evidence: list[Evidence],
    monthly_cost_in_plan: float | None,
) -> Recommendation:
    """`gpu:<workload>`: run a workload on the GPU instance of its first plan line (`line`)."""
    return rec.make(
        f"gpu:{workload}",
        f"Run {workload} on {line.sku} GPU instances",
        category="ai_ml",
        pillar=Pillar.PERFORMANCE,
        priority=Priority.MEDIUM,
        impact=4,
        effort=3,
        confidence=0.7,
        rationale=rationale,
        actions=[f"Reserve capacity for {line.sku} in {region} before launch", load_test],
        evidence=evidence,
        best_practices=("PERF02-BP01", "SUS05-BP01"),
        monthly_cost_in_plan=monthly_cost_in_plan,
        provider=provider,
        services=[line.service],
        regions=[region],
    )
