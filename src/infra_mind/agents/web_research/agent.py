"""web_research: live list-price checks of the bill of materials when a source is configured, and always a
freshness audit of every catalog in the knowledge base."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.web_research.advice import FreshnessAdvisor
from infra_mind.agents.web_research.findings import freshness_findings, live_findings, plan_price_finding
from infra_mind.agents.web_research.freshness import audit, reference_date
from infra_mind.agents.web_research.inventory import CatalogInventory
from infra_mind.agents.web_research.live import live_check
from infra_mind.agents.web_research.plan_prices import plan_price_age
from infra_mind.agents.web_research.sources import OfflinePrices, PriceSource
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.web_research import FreshnessAudit, LiveCheck, WebResearchOutput
from infra_mind.knowledge.catalog import Knowledge

DRIFT_THRESHOLD_PCT = 5.0
"""Infra Mind freshness policy v1 (engineering rule of thumb): a live price more than 5 % away from the
catalog's moves a line's cost materially; smaller gaps are left as rounding."""
LIVE_BUDGET_S = 12.0
"""The live check's share of the agent's 20 s timeout; the audit and the findings need milliseconds."""


class WebResearchAgent(Agent):
    name = "web_research"
    timeout_s = 20.0

    def __init__(
        self,
        knowledge: Knowledge,
        inventory: CatalogInventory,
        prices: PriceSource | None = None,
        *,
        today: date | None = None,
        drift_threshold_pct: float = DRIFT_THRESHOLD_PCT,
        live_budget_s: float = LIVE_BUDGET_S,
    ) -> None:
        """`today` is the run date the caller passes in; without it the audit ages records against the
        newest as_of of the knowledge base. The audit depends on the catalogs only, so it is done once."""
        self._k = knowledge
        self._inventory = inventory
        self._prices = prices or OfflinePrices()
        self._today = today
        self._threshold_pct = drift_threshold_pct
        self._budget_s = live_budget_s
        self._audit = audit(inventory, *reference_date(inventory, today))

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(20, f"checking prices with the {self._prices.name} source")
        live = await live_check(self._prices, plan, self._threshold_pct, self._budget_s)
        await progress(80, f"audited {self._audit.records} catalog records")
        reference = self._audit.reference_date
        chosen = plan.chosen
        plan_prices = plan_price_age(chosen, reference) if chosen else None
        findings = live_findings(live, self._today) + freshness_findings(self._audit, self._inventory)
        if chosen and plan_prices:
            findings.append(plan_price_finding(plan_prices, chosen, reference))
        advisor = FreshnessAdvisor(self._k, self.name, self._inventory, self._audit, self._today)
        return AgentReport(
            summary=_summary(live, self._audit),
            findings=findings,
            recommendations=advisor.recommendations(ctx, live, chosen),
            output=WebResearchOutput(live_check=live, freshness=self._audit, plan_prices=plan_prices),
        )


def _summary(live: LiveCheck, freshness: FreshnessAudit) -> str:
    stale = sorted((k for k in freshness.kinds if k.stale), key=lambda k: -k.stale)
    worst = ", ".join(f"{k.label} {k.stale}/{k.records}" for k in stale[:3])
    return (
        f"{live.detail} Freshness audit of {freshness.records} records in {len(freshness.catalogs)} catalog "
        f"files as of {freshness.reference_date}: {freshness.stale} older than their kind's threshold"
        + (f" ({worst})" if worst else "")
        + f", {freshness.estimates} estimates."
    )
