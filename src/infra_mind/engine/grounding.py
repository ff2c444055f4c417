"""Before synthesis: every catalog price an agent cites is checked against the catalog. A citation of
something that does not exist (or is not sold where it is cited) is dropped; a recommendation left with no
real catalog price behind it is dropped too; each removal is recorded for the result."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Recommendation
from infra_mind.domain.grounding import GroundingAction, GroundingIssue
from infra_mind.knowledge.grounding import Grounding

log = structlog.get_logger()


@dataclass(frozen=True)
class Grounded:
    results: dict[str, AgentResult]
    issues: list[GroundingIssue]


def ground_results(results: dict[str, AgentResult], grounding: Grounding) -> Grounded:
    issues: list[GroundingIssue] = []
    grounded = {}
    for name, result in results.items():
        if not result.ok:
            grounded[name] = result
            continue
        recommendations = [
            rec
            for rec in (_recommendation(name, r, grounding, issues) for r in result.recommendations)
            if rec
        ]
        findings = [_finding(name, f, grounding, issues) for f in result.findings]
        grounded[name] = result.model_copy(update={"recommendations": recommendations, "findings": findings})
    for issue in issues:
        log.warning(
            "synthesis.grounding_failed",
            agent=issue.agent,
            ref=issue.ref,
            problem=issue.problem,
            action=issue.action.value,
        )
    return Grounded(grounded, issues)


def _recommendation(
    agent: str, rec: Recommendation, grounding: Grounding, issues: list[GroundingIssue]
) -> Recommendation | None:
    kept, failed = _split(rec.evidence, grounding)
    if not failed:
        return rec
    cited_prices = sum(e.kind is EvidenceKind.CATALOG_PRICE for e in rec.evidence)
    dropped = len(failed) == cited_prices
    action = GroundingAction.DROPPED_RECOMMENDATION if dropped else GroundingAction.DROPPED_EVIDENCE
    issues.extend(
        GroundingIssue(agent=agent, recommendation=rec.title, ref=e.ref, problem=problem, action=action)
        for e, problem in failed
    )
    return None if dropped else rec.model_copy(update={"evidence": kept})


def _finding(agent: str, finding: Finding, grounding: Grounding, issues: list[GroundingIssue]) -> Finding:
    kept, failed = _split(finding.evidence, grounding)
    issues.extend(
        GroundingIssue(
            agent=agent,
            finding=finding.title,
            ref=e.ref,
            problem=problem,
            action=GroundingAction.DROPPED_EVIDENCE,
        )
        for e, problem in failed
    )
    return finding.model_copy(update={"evidence": kept}) if failed else finding


def _split(
    evidence: list[Evidence], grounding: Grounding
) -> tuple[list[Evidence], list[tuple[Evidence, str]]]:
    kept, failed = [], []
    for e in evidence:
        problem = grounding.check_evidence(e)
        if problem is None:
            kept.append(e)
        else:
            failed.append((e, problem))
    return kept, failed
