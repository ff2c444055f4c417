"""Passages of a finished assessment: what its agents found, recommended and summarised, and its services."""

from __future__ import annotations

from collections.abc import Iterable

from infra_mind.agents.compliance.design import label
from infra_mind.chat.context import constraint_passages, default_passages, warning_passages
from infra_mind.chat.index import Passage, fragments
from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.findings import Evidence, Finding, Recommendation
from infra_mind.domain.services import CostScenario, FrameworkScore

SKIPPED_AGENTS = frozenset({"chatbot"})
"""The chatbot's own findings describe the phase-1 index, not the assessment, so they are not indexed."""


def result_passages(result: AssessmentResult) -> list[Passage]:
    agents = {name: r for name, r in result.agents.items() if name not in SKIPPED_AGENTS}
    passages = [_run_passage(result)]
    for name, agent in agents.items():
        passages.append(_agent_passage(name, agent))
        passages += [_finding_passage(name, f) for f in agent.findings]
    ranked = result.recommendations or [r for a in agents.values() if a.ok for r in a.recommendations]
    passages += [_recommendation_passage(r) for r in ranked]
    if result.cost_model:
        passages += [_scenario_passage(s, result.cost_model.months) for s in result.cost_model.scenarios]
    if result.compliance:
        passages += [_score_passage(s) for s in result.compliance.frameworks]
    validation = result.validation
    passages += constraint_passages(validation.constraints)
    passages += warning_passages(validation.warnings)
    passages += default_passages(validation.defaults)
    return passages


def _agent_passage(name: str, agent: AgentResult) -> Passage:
    if agent.ok:
        return Passage(
            "summary", name, f"{name} summary", fragments(agent.summary), (name,), keywords="agent summary"
        )
    error = agent.error
    body = [f"{name}: status {agent.status.value} after {agent.attempts} attempt(s)"]
    if error:
        body.append(f"{error.type}: {error.message}")
    return Passage(
        "agent_status",
        name,
        f"{name} {agent.status.value}",
        tuple(body),
        (name,),
        keywords="agent fail failed failure missing",
    )


def _evidence_lines(evidence: Iterable[Evidence]) -> tuple[str, ...]:
    return tuple(f"{e.ref}: {e.detail}" for e in evidence)


def _finding_passage(agent: str, finding: Finding) -> Passage:
    return Passage(
        "finding",
        finding.id,
        finding.title,
        (*fragments(finding.detail), *_evidence_lines(finding.evidence)),
        (agent,),
        keywords=f"{finding.id} {finding.severity.value}",
    )


def _recommendation_passage(rec: Recommendation) -> Passage:
    keywords = [rec.key, rec.category, rec.pillar.value, rec.priority.value, *rec.services, *rec.regions]
    return Passage(
        "recommendation",
        rec.id,
        rec.title,
        (
            *fragments(rec.rationale),
            *(f for a in rec.actions for f in fragments(a)),
            *_evidence_lines(rec.evidence),
        ),
        tuple(rec.agents),
        keywords=" ".join([*keywords, rec.provider or ""]),
    )


def _run_passage(result: AssessmentResult) -> Passage:
    m = result.execution_metrics
    lines = [f"total time {m.total_time * 1000:,.0f} ms in {m.mode} mode"]
    lines += [f"{phase} phase {seconds * 1000:,.0f} ms" for phase, seconds in m.phase_times.items()]
    if m.speedup_factor is not None:
        lines.append(f"speed-up {m.speedup_factor:g}× over running the agents one after another")
    if m.critical_path_agent:
        lines.append(f"slowest agent (critical path): {m.critical_path_agent}")
    return Passage(
        "run",
        "execution_metrics",
        f"Run {result.status.value}: {m.completed_agents} of {m.total_agents} agents completed",
        tuple(lines),
        keywords="run status time duration long took agents",
    )


def _scenario_passage(scenario: CostScenario, months: int) -> Passage:
    lines = []
    for s in scenario.series:
        bound = "" if s.complete else f", a lower bound: {s.missing_prices} item(s) without a price"
        lines.append(
            f"{s.provider}: ${s.total_36m_usd:,.2f} over {months} months, ${s.monthly_usd[0]:,.2f} in "
            f"month 1 and ${s.monthly_usd[-1]:,.2f} in month {months}{bound}"
        )
    lines += [f"{a.key} {a.value:g} {a.unit}: {a.rationale}" for a in scenario.assumptions]
    return Passage(
        "cost_model",
        f"cost_model.{scenario.name}",
        f"Cost scenario {scenario.name.replace('_', ' ')}: {scenario.description}",
        tuple(lines),
        keywords="cost total scenario month",
    )


def _score_passage(score: FrameworkScore) -> Passage:
    lines = [
        f"{score.met_now} of {score.controls} controls met now, {score.met_by_design} by the proposed design",
        "open gaps: " + (", ".join(score.open_gaps) or "none"),
    ]
    lines += [
        f"{c.control_id} {c.title}: {c.status.value.replace('_', ' ')}"
        + (f", closed by {', '.join(c.closed_by)}" if c.closed_by else "")
        for c in score.detail
    ]
    return Passage(
        "compliance_score",
        f"compliance.{score.framework}",
        f"{label(score.framework)} coverage: {score.coverage_now_pct:g} % now, "
        f"{score.coverage_by_design_pct:g} % by design",
        tuple(lines),
        keywords=f"{score.framework} compliance coverage score controls",
    )
