"""What the report templates read: the result arranged by section, with missing sections explained."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Finding, Recommendation
from infra_mind.domain.outputs import CloudEngineerOutput, ComplianceOutput, CtoOutput, InfrastructureOutput
from infra_mind.domain.outputs.ai_consultant import AiConsultantOutput
from infra_mind.domain.outputs.base import Output
from infra_mind.domain.outputs.compliance import ControlGap
from infra_mind.domain.outputs.cto import ProviderTco
from infra_mind.domain.outputs.mlops import MlopsOutput
from infra_mind.domain.outputs.research import ResearchOutput
from infra_mind.domain.outputs.simulation import SensitivityDriver, SimulationOutput
from infra_mind.domain.outputs.web_research import WebResearchOutput
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.services import FrameworkScore, ProviderSeries
from infra_mind.reports.agent_sections import (
    HostingRow,
    ProviderStrategies,
    QueueView,
    hosting_rows,
    queue_views,
    research_sources,
    strategy_matrix,
    top_drivers,
    typed_output,
)
from infra_mind.reports.backlog import BacklogItem, backlog
from infra_mind.reports.markdown_text import MarkdownSource, escaped
from infra_mind.reports.narratives import NarrativeView, narratives
from infra_mind.reports.optional_outputs import (
    CostFan,
    SecurityGapRow,
    StrategyRow,
    ThreatRow,
    cost_fan,
    output_data,
    purchase_strategies,
    security_gaps,
    threat_model,
)

OutputT = TypeVar("OutputT", bound=Output)

TOP_RECOMMENDATIONS = 10
_TF_RESOURCE = re.compile(r'^resource "([\w-]+)" "([\w-]+)"', re.MULTILINE)
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class ScenarioTotal:
    scenario: str
    description: str
    totals: dict[str, float]
    complete: dict[str, bool]


@dataclass(frozen=True)
class GapRow:
    gap: ControlGap
    closed_by: list[str]


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
    fan: CostFan | None
    strategies: list[StrategyRow]
    threats: list[ThreatRow] | None
    security_gaps: list[SecurityGapRow]
    mlops: MlopsOutput | None
    ai: AiConsultantOutput | None
    research: ResearchOutput | None
    web: WebResearchOutput | None
    simulation: SimulationOutput | None

    @classmethod
    def build(cls, result: AssessmentResult, ctx: AssessmentContext) -> ReportView:
        cloud = _output(result, "cloud_engineer", CloudEngineerOutput)
        chosen = None
        if cloud is not None:
            chosen = next((q for q in cloud.quotes if q.provider == cloud.recommended_provider), None)
        provider = chosen.provider if chosen else None
        simulation, security = output_data(result, "simulation"), output_data(result, "security")
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
            fan=cost_fan(simulation, provider),
            strategies=purchase_strategies(simulation, provider),
            threats=threat_model(security),
            security_gaps=security_gaps(security),
            mlops=typed_output(result, "mlops", MlopsOutput),
            ai=typed_output(result, "ai_consultant", AiConsultantOutput),
            research=typed_output(result, "research", ResearchOutput),
            web=typed_output(result, "web_research", WebResearchOutput),
            simulation=typed_output(result, "simulation", SimulationOutput),
        )

    @property
    def hosting(self) -> list[HostingRow]:
        return hosting_rows(self.ai)

    @property
    def research_sources(self) -> list[str]:
        return research_sources(self.research)

    @property
    def strategy_matrix(self) -> list[ProviderStrategies]:
        return strategy_matrix(self.simulation)

    @property
    def top_drivers(self) -> list[SensitivityDriver]:
        return top_drivers(self.simulation)

    @property
    def queues(self) -> list[QueueView]:
        return queue_views(self.simulation)

    @property
    def narratives(self) -> list[NarrativeView]:
        return narratives(self.result)

    @property
    def terraform_resources(self) -> list[str]:
        """The `type.name` of every resource block of the Terraform skeleton, in file order."""
        if self.infrastructure is None:
            return []
        return [".".join(m) for m in _TF_RESOURCE.findall(self.infrastructure.terraform)]

    @property
    def company(self) -> str:
        return self.ctx.requirements.company.name

    @property
    def top(self) -> list[Recommendation]:
        return self.result.recommendations[:TOP_RECOMMENDATIONS]

    @property
    def providers(self) -> list[str]:
        return [q.provider for q in self.cloud.quotes] if self.cloud else []

    @cached_property
    def backlog(self) -> list[BacklogItem]:
        return backlog(self.result.recommendations)

    @property
    def cost_items(self) -> list[BacklogItem]:
        """Recommendations that target cost or move the monthly bill."""
        return [
            item
            for item in self.backlog
            if item.rec.pillar is Pillar.COST
            or item.rec.monthly_cost_delta is not None
            or item.rec.monthly_cost_in_plan is not None
        ]

    @property
    def security_items(self) -> list[BacklogItem]:
        return [
            item
            for item in self.backlog
            if item.rec.pillar is Pillar.SECURITY or item.rec.category in ("security", "compliance")
        ]

    def chosen_series(self, scenario: str) -> ProviderSeries | None:
        """The recommended provider's 36-month series in one cost-model scenario."""
        if self.chosen is None or self.result.cost_model is None:
            return None
        for s in self.result.cost_model.scenarios:
            if s.name == scenario:
                return next((p for p in s.series if p.provider == self.chosen.provider), None)
        return None

    @property
    def gaps_by_severity(self) -> list[GapRow]:
        """Every framework's open gaps, most severe first, with the recommendations that close them."""
        if self.compliance is None:
            return []
        rows = []
        for status in self.compliance.frameworks:
            score = self.score(status.framework)
            closers = {d.control_id: d.closed_by for d in score.detail} if score else {}
            rows += [GapRow(gap, closers.get(gap.control_id, [])) for gap in status.gaps]
        return sorted(rows, key=lambda row: SEVERITY_ORDER.get(row.gap.severity, len(SEVERITY_ORDER)))

    def score(self, framework: str) -> FrameworkScore | None:
        if self.result.compliance is None:
            return None
        return next((f for f in self.result.compliance.frameworks if f.framework == framework), None)

    def tco(self, provider: str) -> ProviderTco | None:
        if self.cto is None:
            return None
        return next((t for t in self.cto.tco if t.provider == provider), None)

    def findings(self, agent: str) -> list[Finding]:
        found = self.result.agents.get(agent)
        if found is None or not found.ok:
            return []
        return sorted(found.findings, key=lambda f: SEVERITY_ORDER[f.severity.value])

    def ran(self, agent: str) -> bool:
        found = self.result.agents.get(agent)
        return found is not None and found.ok

    def missing_note(self, agent: str) -> MarkdownSource:
        reason = self.missing.get(agent)
        if reason is None:
            ran = agent in self.result.agents
            reason = "returned no output this report can read" if ran else "was not part of this run"
        return MarkdownSource(f"_This section is missing: the `{escaped(agent)}` agent {escaped(reason)}._")


def _output(result: AssessmentResult, agent: str, kind: type[OutputT]) -> OutputT | None:
    found = result.agents.get(agent)
    if found is None or not found.ok or not isinstance(found.output, kind):
        return None
    return found.output


def _why_missing(result: AgentResult) -> str:
    detail = f": {result.error.message}" if result.error else ""
    attempts = f" after {result.attempts} attempt(s)" if result.attempts > 1 else ""
    return f"{result.status.value.replace('_', ' ')}{attempts}{detail}"
