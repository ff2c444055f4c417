"""What the report templates read: the result arranged by section, with missing sections explained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Recommendation
from infra_mind.domain.outputs import CloudEngineerOutput, ComplianceOutput, CtoOutput, InfrastructureOutput
from infra_mind.domain.outputs.base import Output
from infra_mind.domain.pricing import ProviderQuote

OutputT = TypeVar("OutputT", bound=Output)

TOP_RECOMMENDATIONS = 10


@dataclass(frozen=True)
class ScenarioTotal:
    scenario: str
    description: str
    totals: dict[str, float]
    complete: dict[str, bool]


@dataclass(frozen=True)
class ReportView:
    result: AssessmentResult
    ctx: AssessmentContext
    cloud: CloudEngineerOutput | None
    infrastructure: InfrastructureOutput | None
    compliance: ComplianceOutput | None
    cto: CtoOutput | None
    chosen: ProviderQuote | None
    missing: dict[str, str]
    scenario_totals: list[ScenarioTotal]

    @classmethod
    def build(cls, result: AssessmentResult, ctx: AssessmentContext) -> ReportView:
        cloud = _output(result, "cloud_engineer", CloudEngineerOutput)
        chosen = None
        if cloud is not None:
            chosen = next((q for q in cloud.quotes if q.provider == cloud.recommended_provider), None)
        totals = []
        if result.cost_model is not None:
            totals = [
                ScenarioTotal(
                    s.name,
                    s.description,
                    {p.provider: p.total_36m_usd for p in s.series},
                    {p.provider: p.complete for p in s.series},
                )
                for s in result.cost_model.scenarios
            ]
        return cls(
            result=result,
            ctx=ctx,
            cloud=cloud,
            infrastructure=_output(result, "infrastructure", InfrastructureOutput),
            compliance=_output(result, "compliance", ComplianceOutput),
            cto=_output(result, "cto", CtoOutput),
            chosen=chosen,
            missing={name: _why_missing(r) for name, r in result.agents.items() if not r.ok},
            scenario_totals=totals,
        )

    @property
    def company(self) -> str:
        return self.ctx.requirements.company.name

    @property
    def top(self) -> list[Recommendation]:
        return self.result.recommendations[:TOP_RECOMMENDATIONS]

    @property
    def providers(self) -> list[str]:
        return [q.provider for q in self.cloud.quotes] if self.cloud else []

    def missing_note(self, agent: str) -> str:
        reason = self.missing.get(agent)
        if reason is None and agent not in self.result.agents:
            reason = "was not part of this run"
        return f"_This section is missing: the `{agent}` agent {reason}._"


def _output(result: AssessmentResult, agent: str, kind: type[OutputT]) -> OutputT | None:
    found = result.agents.get(agent)
    if found is None or not found.ok or not isinstance(found.output, kind):
        return None
    return found.output


def _why_missing(result: AgentResult) -> str:
    detail = f": {result.error.message}" if result.error else ""
    attempts = f" after {result.attempts} attempt(s)" if result.attempts > 1 else ""
    return f"{result.status.value.replace('_', ' ')}{attempts}{detail}"
