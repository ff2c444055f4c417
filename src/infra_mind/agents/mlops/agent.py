"""mlops: ML platform (managed or open source on Kubernetes), training and serving sizing, registry,
feature store, monitoring and drift detection, priced from the plan and the ML platform catalog."""

from __future__ import annotations

import structlog

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.mlops.analysis import Analysis, analyse, applies
from infra_mind.agents.mlops.findings import findings, not_applicable
from infra_mind.agents.mlops.recommendations import recommendations
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.mlops import MlopsOutput
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.ml_platforms import MlPlatformCatalog

log = structlog.get_logger(__name__)


class MlopsAgent(Agent):
    name = "mlops"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge, catalog: MlPlatformCatalog) -> None:
        self._k = knowledge
        self._catalog = catalog

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        if not applies(ctx):
            await progress(100, "no AI/ML workloads")
            return AgentReport(
                summary="No AI/ML workloads and AI maturity 'none': no ML platform, training or serving "
                "sizing, or model monitoring to plan, and nothing AI-specific is recommended.",
                findings=[not_applicable()],
                output=MlopsOutput(applicable=False),
            )
        plan = priced_plan(ctx, self._k)
        await progress(50, f"sizing ML workloads on {plan.provider or 'no provider'}")
        analysis = analyse(ctx, self._k, self._catalog, plan)
        log.debug("mlops analysed", provider=plan.provider, reviews=len(analysis.reviews))
        return AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis),
            recommendations=recommendations(analysis, self._k),
            output=analysis.output(self._catalog),
        )


def _summary(analysis: Analysis) -> str:
    if analysis.decision is None:
        platform = "no platform (no provider was priced)"
    else:
        choice = analysis.decision.choice
        chosen = next(o for o in choice.options if o.option == choice.chosen)
        fee = (
            f"${chosen.monthly_usd:,.2f}/month"
            if chosen.monthly_usd is not None
            else "platform cost not priced"
        )
        platform = f"{choice.name} ({fee})"
    questioned = sum(not r.agrees for r in analysis.reviews)
    confirmed = len(analysis.reviews) - questioned
    implied = sum(not t.sizing.in_plan for t in analysis.training)
    gpus = sum(s.gpu_count for s in analysis.serving)
    unpriced = len(analysis.unpriced_ml)
    return (
        f"ML platform: {platform}; {len(analysis.training)} training workload(s)"
        + (f" ({implied} implied by the training frequency)" if implied else "")
        + f", {len(analysis.serving)} serving workload(s) on {gpus} GPU(s) at peak; "
        f"${analysis.ml_monthly_usd:,.2f}/month of ML lines in the plan; {confirmed} GPU choice(s) "
        f"confirmed, "
        f"{questioned} questioned"
        + (f"; {unpriced} ML item(s) without a catalog price." if unpriced else ".")
    )
