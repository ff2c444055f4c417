"""The cto agent's analysis: TCO, ROI, roadmap, goals, build/buy and risks from the context and the plan."""

from __future__ import annotations

from dataclasses import dataclass, replace

from infra_mind.agents.cto.costs import MIGRATION_RULE, current_footprint, provider_tco, roi, roi_note
from infra_mind.agents.cto.goals import fit_goals
from infra_mind.agents.cto.risks import RiskItem, risk_register
from infra_mind.agents.cto.roadmap import Roadmap, build_roadmap, roadmap_assumptions
from infra_mind.agents.cto.sourcing import SkillGap, Sourcing, build_vs_buy, skill_gaps
from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.tco import growth_series
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.cto import CtoOutput, GoalFit, ProviderTco, RoiComparison
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.sizing import SizingRule


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    plan: PricedPlan
    migration_rule: SizingRule
    tcos: list[ProviderTco]
    roi: RoiComparison | None
    roi_note: str
    roadmap: Roadmap
    goals: list[GoalFit]
    sourcing: list[Sourcing]
    gaps: list[SkillGap]
    risks: list[RiskItem]

    @property
    def chosen_tco(self) -> ProviderTco | None:
        return next((t for t in self.tcos if t.provider == self.plan.provider), None)

    def output(self) -> CtoOutput:
        rule = self.migration_rule
        migration = rule.assumption()
        return CtoOutput(
            tco=self.tcos,
            recommended_provider=self.plan.provider,
            roi=self.roi,
            roi_note=self.roi_note,
            goals=self.goals,
            build_vs_buy=[s.decision for s in self.sourcing],
            risks=[r.risk for r in self.risks],
            roadmap=self.roadmap.phases,
            roadmap_fits_timeline=self.roadmap.fits,
            assumptions=[migration, *roadmap_assumptions(self.ctx.requirements.timeline.urgency)],
        )


def analyse(ctx: AssessmentContext, knowledge: Knowledge, plan: PricedPlan) -> Analysis:
    rule = knowledge.sizing(MIGRATION_RULE)
    quote = plan.chosen
    series = growth_series(ctx, knowledge, plan)
    tcos = [provider_tco(ctx, q, series[q.provider], rule) for q in plan.quotes]
    chosen = next((t for t in tcos if t.provider == plan.provider), None)
    comparison = roi(ctx, chosen) if chosen else None
    note = (
        roi_note(ctx, chosen, comparison) if chosen and comparison else "No provider could be priced: no TCO."
    )
    roadmap = build_roadmap(ctx, knowledge, quote, migrating=current_footprint(ctx.requirements) is not None)
    goals = fit_goals(ctx, roadmap, quote, chosen)
    roadmap = replace(
        roadmap,
        phases=[
            phase.model_copy(update={"goals": [g.goal for g in goals if g.phase == phase.name]})
            for phase in roadmap.phases
        ],
    )
    gaps = skill_gaps(ctx, quote)
    return Analysis(
        ctx=ctx,
        plan=plan,
        migration_rule=rule,
        tcos=tcos,
        roi=comparison,
        roi_note=note,
        roadmap=roadmap,
        goals=goals,
        sourcing=build_vs_buy(ctx, quote),
        gaps=gaps,
        risks=risk_register(ctx, knowledge, plan, chosen, roadmap, goals, gaps),
    )
