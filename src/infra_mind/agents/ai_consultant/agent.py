"""The ai_consultant agent: which AI use cases fit, how ready the company is, and how to host its LLMs."""

from __future__ import annotations

from infra_mind.agents.ai_consultant.analysis import Analysis, analyse
from infra_mind.agents.ai_consultant.findings import findings
from infra_mind.agents.ai_consultant.recommendations import recommendations
from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.domain.context import AssessmentContext
from infra_mind.knowledge.ai_use_cases import AiCatalog
from infra_mind.knowledge.catalog import Knowledge


class AiConsultantAgent(Agent):
    name = "ai_consultant"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge, catalog: AiCatalog) -> None:
        self._k = knowledge
        self._catalog = catalog

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        analysis = analyse(ctx, self._k, self._catalog)
        await progress(70, f"readiness {analysis.readiness.score}/100, {len(analysis.fits)} use cases")
        report = AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis),
            recommendations=recommendations(analysis, self._k, self.name),
            # cast: AgentOutput lists AiConsultantOutput once the agent is registered
            output=analysis.output(self._k),
        )
        await progress(95, f"{len(analysis.hosting)} LLM workload(s) compared")
        return report


def _summary(a: Analysis) -> str:
    r = a.readiness
    industry = a.ctx.requirements.company.industry.value
    readiness = f"AI readiness {r.score}/100 ({r.band})"
    if not a.engaged:
        return (
            f"No AI workloads and AI maturity none: nothing AI-specific is recommended; {readiness}; "
            f"{len(a.fits)} catalogued use case(s) fit a {industry} company."
        )
    top = f"; best fit: {a.fits[0].title}" if a.fits else ""
    hosting = "".join(
        f"; {c.workload}: {c.choice.replace('_', ' ')}"
        + (f" ${c.choice_monthly_usd:,.0f}/month" if c.choice_monthly_usd is not None else "")
        for c in a.hosting
    )
    return f"{readiness}; {len(a.fits)} use case(s) fit a {industry} company{top}{hosting}."
