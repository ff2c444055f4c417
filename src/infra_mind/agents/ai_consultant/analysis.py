"""The ai_consultant's analysis of one context: use-case fit, readiness, and LLM hosting costs."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.ai_consultant.fit import RULE as FIT_RULE
from infra_mind.agents.ai_consultant.fit import fits
from infra_mind.agents.ai_consultant.hosting import SIZING_RULES, HostingAnalyst, Site
from infra_mind.agents.ai_consultant.readiness import readiness
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.ai_consultant import (
    AiConsultantOutput,
    LlmHostingComparison,
    Readiness,
    UseCaseFit,
)
from infra_mind.domain.pricing import Assumption
from infra_mind.domain.requirements import AiMaturity
from infra_mind.domain.workloads import LlmApplication
from infra_mind.knowledge.ai_use_cases import SERVING_RULES, AiCatalog
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

AI_WORKLOAD_TYPES = ("ml_training", "ml_inference", "llm_application")


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    catalog: AiCatalog
    engaged: bool
    fits: list[UseCaseFit]
    readiness: Readiness
    site: Site | None
    hosting: list[LlmHostingComparison]
    days_per_month: float | None

    @property
    def llm_workloads(self) -> list[LlmApplication]:
        return [w for w in self.ctx.requirements.workloads if isinstance(w, LlmApplication)]

    def assumptions(self, knowledge: Knowledge) -> list[Assumption]:
        if not self.hosting:
            return []
        rules = [knowledge.sizing(key) for key in SIZING_RULES]
        rules += [rule for key in SERVING_RULES if (rule := self.catalog.rule(key)) is not None]
        return [r.assumption() for r in rules]

    def output(self, knowledge: Knowledge) -> AiConsultantOutput:
        return AiConsultantOutput(
            ai_engaged=self.engaged,
            provider=self.site.provider.value if self.site else None,
            region=self.site.region if self.site else None,
            use_cases=self.fits,
            fit_rule=FIT_RULE,
            readiness=self.readiness,
            llm_hosting=self.hosting,
            price_snapshot=self.catalog.llm_prices.snapshot,
            assumptions=self.assumptions(knowledge),
        )


def analyse(ctx: AssessmentContext, knowledge: Knowledge, catalog: AiCatalog) -> Analysis:
    spec = ctx.requirements
    engaged = ai_engaged(ctx)
    llm = [w for w in spec.workloads if isinstance(w, LlmApplication)]
    site, hosting, days = None, [], None
    if llm:
        site = _site(ctx, knowledge)
        if site is not None and catalog.complete:
            analyst = HostingAnalyst(knowledge, catalog, ctx)
            hosting = [analyst.compare(w, site) for w in llm]
            days = analyst.days_per_month
    return Analysis(
        ctx=ctx,
        catalog=catalog,
        engaged=engaged,
        fits=fits(catalog.for_industry(spec.company.industry), spec),
        readiness=readiness(spec),
        site=site,
        hosting=hosting,
        days_per_month=days,
    )


def ai_engaged(ctx: AssessmentContext) -> bool:
    """AI workloads in the input, or AI maturity above none."""
    spec = ctx.requirements
    has_workloads = any(w.type in AI_WORKLOAD_TYPES for w in spec.workloads)
    return has_workloads or spec.ai_ml.maturity is not AiMaturity.NONE


def _site(ctx: AssessmentContext, knowledge: Knowledge) -> Site | None:
    """The plan's provider and primary region: where token and GPU prices are read."""
    plan = priced_plan(ctx, knowledge)
    option = plan.chosen_option
    if option is None:
        return None
    return Site(Provider(option.provider), option.primary.region, plan.chosen)
