"""The cto agent: strategy from the priced plan, the goals, the team and the timeline."""

from __future__ import annotations

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.cto.advice import findings, recommendations
from infra_mind.agents.cto.analysis import Analysis, analyse
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level
from infra_mind.knowledge.catalog import Knowledge


class CtoAgent(Agent):
    name = "cto"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(40, f"priced {len(plan.quotes)} providers")
        analysis = analyse(ctx, self._k, plan)
        await progress(90, f"{len(analysis.risks)} risks, {len(analysis.roadmap.phases)} roadmap phases")
        return AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis),
            recommendations=recommendations(analysis, self._k),
            output=analysis.output(),
        )


def _summary(a: Analysis) -> str:
    tco = a.chosen_tco
    on_time = sum(g.fits_timeline for g in a.goals)
    high = sum(r.risk.likelihood is Level.HIGH and r.risk.impact is Level.HIGH for r in a.risks)
    cost = (
        f"36-month TCO on {tco.provider.upper()} ${tco.tco_36m_usd:,.0f} (run ${tco.run_36m_usd:,.0f} + "
        f"migration ${tco.migration_one_off_usd:,.0f})" + ("" if tco.complete else ", understated")
        if tco
        else "no provider could be priced"
    )
    roadmap = ("fits" if a.roadmap.fits else "overruns") + f" the {a.roadmap.target_months}-month timeline"
    return (
        f"{cost}; roadmap {roadmap}; {on_time} of {len(a.goals)} goals on time; {len(a.risks)} risks, "
        f"{high} likely and high-impact."
    )
