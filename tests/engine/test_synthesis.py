from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.engine.synthesis import synthesize


@pytest.fixture
def ctx(
    make_context: Callable[[dict[str, Any]], AssessmentContext], healthtech: dict[str, Any]
) -> AssessmentContext:
    return make_context(healthtech)


def rec(
    key: str,
    agent: str,
    *,
    title: str | None = None,
    impact: int = 3,
    effort: int = 3,
    confidence: float = 0.5,
    priority: Priority = Priority.MEDIUM,
    evidence: str = "x",
    cost: float | None = None,
    conflicts: tuple[str, ...] = (),
) -> Recommendation:
    return Recommendation(
        id=f"{agent}-{key}",
        key=key,
        title=title or f"{agent} says {key}",
        category="c",
        pillar=Pillar.SECURITY,
        priority=priority,
        risk=Level.MEDIUM,
        impact=impact,
        effort=effort,
        confidence=confidence,
        rationale=f"{agent} reasoning",
        actions=[f"{agent} action"],
        agents=[agent],
        evidence=[Evidence(kind=EvidenceKind.INPUT, ref=evidence, detail="d")],
        monthly_cost_delta=cost,
        conflicts_with=list(conflicts),
    )


def results(*recs: Recommendation, failed: tuple[Recommendation, ...] = ()) -> dict[str, AgentResult]:
    out: dict[str, AgentResult] = {}
    for r in recs:
        agent = r.agents[0]
        out.setdefault(agent, AgentResult(agent=agent, status=AgentStatus.COMPLETED, attempts=1))
        out[agent].recommendations.append(r)
    for r in failed:
        out[r.agents[0]] = AgentResult(
            agent=r.agents[0], status=AgentStatus.FAILED, attempts=1, recommendations=[r]
        )
    return out


def test_same_key_merges_across_agents_whatever_the_titles(ctx: AssessmentContext) -> None:
    merged = synthesize(
        results(
            rec(
                "control:mfa", "compliance", title="Enforce MFA for every admin", evidence="HIPAA 164.312(d)"
            ),
            rec("control:mfa", "cto", title="Turn on multi-factor sign-in", evidence="SOC2 CC6.1"),
        ),
        ctx,
    )
    assert len(merged) == 1
    only = merged[0]
    assert only.agents == ["compliance", "cto"]
    assert {e.ref for e in only.evidence} == {"HIPAA 164.312(d)", "SOC2 CC6.1"}
    assert set(only.actions) == {"compliance action", "cto action"}


def test_agreement_raises_confidence(ctx: AssessmentContext) -> None:
    alone = synthesize(results(rec("k", "a", confidence=0.6)), ctx)[0]
    agreed = synthesize(results(rec("k", "a", confidence=0.6), rec("k", "b", confidence=0.5)), ctx)[0]
    assert alone.confidence == 0.6
    assert agreed.confidence == pytest.approx(0.8)


def test_merge_keeps_the_most_urgent_priority_and_highest_impact(ctx: AssessmentContext) -> None:
    merged = synthesize(
        results(
            rec("k", "a", priority=Priority.LOW, impact=2),
            rec("k", "b", priority=Priority.CRITICAL, impact=4),
        ),
        ctx,
    )[0]
    assert merged.priority is Priority.CRITICAL
    assert merged.impact == 4


def test_ranking_is_impact_times_confidence_over_effort(ctx: AssessmentContext) -> None:
    ranked = synthesize(
        results(
            rec("low", "a", impact=2, effort=4, confidence=0.5),
            rec("high", "a", impact=5, effort=1, confidence=0.9),
            rec("mid", "a", impact=3, effort=2, confidence=0.6),
        ),
        ctx,
    )
    assert [r.key for r in ranked] == ["high", "mid", "low"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert [r.id for r in ranked] == ["REC-001", "REC-002", "REC-003"]
    assert ranked[0].score == pytest.approx(5 * 0.9 / 1)


def test_exclusive_choice_keeps_the_best_and_records_the_alternative(ctx: AssessmentContext) -> None:
    ranked = synthesize(
        results(
            rec("dr:warm_standby", "infrastructure", impact=4, effort=3, confidence=0.8),
            rec("dr:backup_restore", "cto", impact=3, effort=2, confidence=0.5),
        ),
        ctx,
    )
    assert [r.key for r in ranked] == ["dr:warm_standby"]
    alternative = ranked[0].alternatives[0]
    assert alternative.agents == ["cto"]
    assert "scored higher" in alternative.reason_not_chosen


def test_explicit_conflict_is_resolved_toward_more_agreement(ctx: AssessmentContext) -> None:
    ranked = synthesize(
        results(
            rec(
                "database:self_managed",
                "cto",
                impact=5,
                effort=1,
                confidence=0.9,
                conflicts=("database:managed",),
            ),
            rec("database:managed", "cloud_engineer", impact=3, effort=2, confidence=0.6),
            rec("database:managed", "infrastructure", impact=3, effort=2, confidence=0.6),
        ),
        ctx,
    )
    assert [r.key for r in ranked] == ["database:managed"]
    assert ranked[0].alternatives[0].title == "cto says database:self_managed"


def test_failed_agents_contribute_nothing(ctx: AssessmentContext) -> None:
    ranked = synthesize(results(rec("a", "ok"), failed=(rec("b", "broken"),)), ctx)
    assert [r.key for r in ranked] == ["a"]


def test_costly_recommendation_ranks_lower_when_it_breaks_the_budget(ctx: AssessmentContext) -> None:
    from infra_mind.domain.outputs import CloudEngineerOutput
    from infra_mind.domain.pricing import ProviderQuote

    quote = ProviderQuote(provider="aws", region="us-east-1", lines=[], monthly_usd=9_800)
    cloud = AgentResult(
        agent="cloud_engineer",
        status=AgentStatus.COMPLETED,
        attempts=1,
        output=CloudEngineerOutput(
            service_choices=[],
            quotes=[quote],
            assumptions=[],
            recommended_provider="aws",
            provider_reasons=[],
        ),
    )
    runs = results(
        rec("pricey", "a", impact=4, effort=2, confidence=0.8, cost=500),
        rec("cheap", "a", impact=4, effort=2, confidence=0.8, cost=10),
    )
    runs["cloud_engineer"] = cloud
    ranked = synthesize(runs, ctx)
    assert [r.key for r in ranked] == ["cheap", "pricey"]
    assert ranked[1].score == pytest.approx(ranked[0].score / 2)
