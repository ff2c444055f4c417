from __future__ import annotations

from typing import Any

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Priority, Recommendation
from infra_mind.domain.grounding import GroundingAction
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.grounding import ground_results
from infra_mind.engine.orchestrator import Orchestrator
from infra_mind.engine.pipeline import Pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.grounding import Grounding

from ..knowledge.small_catalog import small_catalog


def _price(ref: str) -> Evidence:
    return Evidence(kind=EvidenceKind.CATALOG_PRICE, ref=ref, detail="cited price")


def _rec(key: str, *evidence: Evidence) -> Recommendation:
    return Recommendation(
        id=key,
        key=key,
        title=f"do {key}",
        category="cost",
        pillar=Pillar.COST,
        priority=Priority.MEDIUM,
        risk=Level.LOW,
        impact=3,
        effort=2,
        confidence=0.8,
        rationale="because",
        actions=["act"],
        agents=["proposer"],
        evidence=[Evidence(kind=EvidenceKind.INPUT, ref="company.name", detail="input"), *evidence],
    )


def _result(*recs: Recommendation, findings: tuple[Finding, ...] = ()) -> dict[str, AgentResult]:
    return {
        "proposer": AgentResult(
            agent="proposer",
            status=AgentStatus.COMPLETED,
            attempts=1,
            recommendations=list(recs),
            findings=list(findings),
        )
    }


def test_a_recommendation_with_no_real_price_behind_it_is_dropped() -> None:
    invented = _rec("invented", _price("aws:m7i.gigantic@us-east-1"), _price("aws:p5.48xlarge@eu-central-1"))
    grounded = ground_results(_result(invented), Grounding(small_catalog()))
    assert grounded.results["proposer"].recommendations == []
    assert [(i.ref, i.action) for i in grounded.issues] == [
        ("aws:m7i.gigantic@us-east-1", GroundingAction.DROPPED_RECOMMENDATION),
        ("aws:p5.48xlarge@eu-central-1", GroundingAction.DROPPED_RECOMMENDATION),
    ]
    assert "not sold in eu-central-1" in grounded.issues[1].problem


def test_a_bad_citation_is_dropped_and_the_recommendation_stands_on_the_rest() -> None:
    mixed = _rec("mixed", _price("aws:m7i.large@us-east-1"), _price("aws:m7i.gigantic@us-east-1"))
    finding = Finding(id="f1", title="sized", detail="d", evidence=[_price("azure:Standard_Z99@us-east-1")])
    grounded = ground_results(_result(mixed, findings=(finding,)), Grounding(small_catalog()))
    kept = grounded.results["proposer"].recommendations
    assert [e.ref for e in kept[0].evidence] == ["company.name", "aws:m7i.large@us-east-1"]
    assert grounded.results["proposer"].findings[0].evidence == []
    assert {i.action for i in grounded.issues} == {GroundingAction.DROPPED_EVIDENCE}
    assert {i.finding for i in grounded.issues} == {None, "sized"}


def test_failed_agents_pass_through_untouched() -> None:
    failed = {"x": AgentResult(agent="x", status=AgentStatus.FAILED, attempts=1)}
    grounded = ground_results(failed, Grounding(small_catalog()))
    assert grounded.results == failed
    assert grounded.issues == []


class _InventingAgent(Agent):
    name = "inventor"

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        return AgentReport(
            summary="proposes an instance that does not exist",
            recommendations=[_rec("quantum", _price("aws:q9.quantum@us-east-1"))],
        )


async def test_nothing_invented_reaches_the_result(knowledge: Knowledge, healthtech: dict[str, Any]) -> None:
    pipeline = Pipeline(
        knowledge, Orchestrator([_InventingAgent()]), InMemoryEventBus(), report_formats=("md",)
    )
    outcome = await pipeline.run(parse_input(healthtech), run_id="g1")
    assert outcome.result.recommendations == []
    issue = outcome.result.validation.grounding[0]
    assert (issue.agent, issue.ref) == ("inventor", "aws:q9.quantum@us-east-1")
    assert "no SKU 'q9.quantum'" in issue.problem
    assert "q9.quantum" not in str(outcome.reports[0].content)
