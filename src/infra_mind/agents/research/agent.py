"""The research agent: benchmarks the company and its plan against the curated, dated norms."""

from __future__ import annotations

import structlog

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.research.advice import findings, recommendations
from infra_mind.agents.research.architecture import compare_architecture
from infra_mind.agents.research.compare import METHOD, Compared, Segment
from infra_mind.agents.research.spend import compare_spend
from infra_mind.agents.research.team import compare_team
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.research import ResearchOutput, UncomparedMetric
from infra_mind.knowledge.benchmarks import BenchmarkCatalog
from infra_mind.knowledge.catalog import Knowledge

log = structlog.get_logger(__name__)


class ResearchAgent(Agent):
    name = "research"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge, benchmarks: BenchmarkCatalog) -> None:
        self._k = knowledge
        self._benchmarks = benchmarks

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(40, f"priced {len(plan.quotes)} providers to benchmark the plan")
        compared: list[Compared] = []
        gaps: list[UncomparedMetric] = []
        for made, missing in (
            compare_spend(ctx, self._benchmarks, plan),
            compare_team(ctx, self._benchmarks),
            compare_architecture(ctx, self._benchmarks, plan),
        ):
            compared += made
            gaps += missing
        outliers = [c for c in compared if c.outlier]
        await progress(90, f"{len(compared)} comparisons, {len(outliers)} outside the norm")
        log.debug("research.benchmarked", compared=len(compared), outliers=len(outliers), gaps=len(gaps))
        return AgentReport(
            summary=_summary(compared, outliers, gaps),
            findings=findings(compared, gaps),
            recommendations=recommendations(ctx, self._k, self._benchmarks, compared, plan.provider),
            output=ResearchOutput(
                profile=Segment.of(ctx.requirements).words(),
                comparisons=[c.comparison for c in compared],
                not_compared=gaps,
                outliers=len(outliers),
                method=METHOD,
            ),
        )


def _summary(compared: list[Compared], outliers: list[Compared], gaps: list[UncomparedMetric]) -> str:
    norms = len({c.comparison.norm_key for c in compared})
    head = (
        f"{len(compared)} figures benchmarked against {norms} dated norms; {len(outliers)} outside the norm"
    )
    listed = "; ".join(f"{c.comparison.label}: {c.comparison.standing}" for c in outliers)
    missing = f"; {len(gaps)} comparison(s) could not be made" if gaps else ""
    return head + (f" ({listed})" if listed else "") + missing + "."
