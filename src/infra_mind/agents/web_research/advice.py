"""Recommendations: refresh a catalog kind when its records are stale or live prices show it drifted."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.evidence import Recommender, line_evidence
from infra_mind.agents.web_research.evidence import (
    MAX_EVIDENCE,
    drift_evidence,
    kind_evidence,
    record_evidence,
    stale_records,
    threshold_evidence,
)
from infra_mind.agents.web_research.freshness import kind_rules
from infra_mind.agents.web_research.inventory import CatalogInventory, DatedRecord
from infra_mind.agents.web_research.live import LIVE_PRICES_SETTING
from infra_mind.agents.web_research.plan_prices import price_kind, stale_lines
from infra_mind.agents.web_research.policy import COMPLIANCE_KINDS, PRICE_KINDS, FreshnessRule
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, Priority, Recommendation
from infra_mind.domain.outputs.web_research import FreshnessAudit, KindFreshness, LineDrift, LiveCheck
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.knowledge.catalog import Knowledge


class FreshnessAdvisor:
    def __init__(
        self,
        knowledge: Knowledge,
        agent: str,
        inventory: CatalogInventory,
        audit: FreshnessAudit,
        checked_on: date | None,
    ) -> None:
        self._rec = Recommender(knowledge, agent)
        self._inventory = inventory
        self._audit = audit
        self._rules = kind_rules(inventory)
        self._checked_on = checked_on

    def recommendations(
        self, ctx: AssessmentContext, live: LiveCheck, chosen: ProviderQuote | None
    ) -> list[Recommendation]:
        drifted: dict[str, list[LineDrift]] = {}
        for drift in live.drifts:
            if drift.flagged:
                drifted.setdefault(price_kind(drift.kind), []).append(drift)
        candidates = [
            self._refresh(ctx, kind, live, drifted.get(kind.kind, []), chosen)
            for kind in self._audit.kinds
            if kind.stale or drifted.get(kind.kind)
        ]
        # A stale catalog this assessment does not rest on is a finding of the audit, not an action item.
        return [rec for rec in candidates if rec.priority is not Priority.LOW]

    def _refresh(
        self,
        ctx: AssessmentContext,
        kind: KindFreshness,
        live: LiveCheck,
        drifts: list[LineDrift],
        chosen: ProviderQuote | None,
    ) -> Recommendation:
        rule = self._rules[kind.kind]
        reference = self._audit.reference_date
        oldest = stale_records(self._inventory, kind.kind, rule, reference)
        priority, impact, relevance = self._relevance(ctx, kind, [r for r, _ in oldest], drifts, chosen)
        evidence: list[Evidence] = [kind_evidence(kind, reference), threshold_evidence(kind)]
        evidence += [record_evidence(r, as_of, reference, rule) for r, as_of in oldest[:MAX_EVIDENCE]]
        if live.provider:
            evidence += [drift_evidence(d, live.provider, self._checked_on) for d in drifts[:MAX_EVIDENCE]]
        if chosen and kind.kind in PRICE_KINDS:
            plan_lines = [
                line for line in stale_lines(chosen, reference) if price_kind(line.kind) == kind.kind
            ]
            evidence += [line_evidence(line) for line in plan_lines[:MAX_EVIDENCE]]
        stale = (
            f"{kind.stale} of {kind.records} are older than {kind.threshold_days} days" if kind.stale else ""
        )
        drift = (
            f"{len(drifts)} live list price(s) differ by more than {live.threshold_pct:g} %" if drifts else ""
        )
        return self._rec.make(
            f"catalog:refresh:{kind.kind}",
            f"Refresh the {kind.label}: " + " and ".join(p for p in (stale, drift) if p),
            category="knowledge_base",
            pillar=rule.pillar,
            priority=priority,
            impact=impact,
            effort=3 if kind.kind in COMPLIANCE_KINDS else 2,
            confidence=0.9 if drifts else 0.8,
            rationale=_rationale(kind, rule, oldest[0][1] if oldest else None, drifts, relevance),
            actions=self._actions(kind, rule, live, drifts),
            evidence=evidence,
            best_practices=rule.practices,
        )

    def _relevance(
        self,
        ctx: AssessmentContext,
        kind: KindFreshness,
        stale: list[DatedRecord],
        drifts: list[LineDrift],
        chosen: ProviderQuote | None,
    ) -> tuple[Priority, int, str]:
        rule = self._rules[kind.kind]
        in_scope = {f.value for f in ctx.framework_ids}
        if kind.kind in PRICE_KINDS:
            plan_lines = [
                line
                for line in (stale_lines(chosen, self._audit.reference_date) if chosen else [])
                if price_kind(line.kind) == kind.kind
            ]
            if drifts or plan_lines:
                cost = sum(line.monthly_usd for line in plan_lines)
                reasons = []
                if plan_lines:
                    reasons.append(
                        f"the recommended plan prices {len(plan_lines)} line(s) (${cost:,.2f}/month) from "
                        "stale records of this kind"
                    )
                if drifts:
                    reasons.append(f"the live check found {len(drifts)} line(s) whose list price moved")
                return Priority.HIGH, 4, " and ".join(reasons)
            return rule.priority, 3, f"{rule.used_by}, but the recommended plan uses none of the stale ones"
        if kind.kind == "regions" and chosen:
            used = {
                f"{chosen.provider}:{r}"
                for r in (chosen.region, chosen.dr.region if chosen.dr else None)
                if r
            }
            stale_used = sorted(used & {r.ref for r in stale})
            if stale_used:
                return (
                    rule.priority,
                    rule.impact,
                    f"the recommended plan runs in stale ones: {', '.join(stale_used)}",
                )
            return (
                Priority.LOW,
                2,
                f"the recommended plan's regions ({', '.join(sorted(used))}) are not stale",
            )
        if kind.kind == "controls":
            relevant = sorted({r.framework for r in stale if r.framework} & in_scope)
            if relevant:
                return (
                    Priority.HIGH,
                    4,
                    f"frameworks in this assessment's scope rely on them: {', '.join(relevant)}",
                )
            return Priority.LOW, 2, "no framework in this assessment's scope relies on the stale controls"
        if kind.kind in COMPLIANCE_KINDS and not in_scope:
            return Priority.LOW, 2, "no compliance framework applies to this assessment"
        return rule.priority, rule.impact, rule.used_by

    def _actions(
        self, kind: KindFreshness, rule: FreshnessRule, live: LiveCheck, drifts: list[LineDrift]
    ) -> list[str]:
        actions = []
        if drifts:
            actions.append(
                "Start with the lines whose live price differs: "
                + ", ".join(f"{d.sku}@{d.region} ({d.drift_pct:+.1f} %)" for d in drifts[:MAX_EVIDENCE])
            )
        actions += rule.refresh
        if kind.kind in PRICE_KINDS and live.status == "not_configured":
            actions.append(
                f"Set {LIVE_PRICES_SETTING}=azure to check the Azure lines against live list prices"
            )
        return actions


def _rationale(
    kind: KindFreshness, rule: FreshnessRule, oldest: date | None, drifts: list[LineDrift], relevance: str
) -> str:
    parts = []
    if oldest:
        parts.append(
            f"{kind.stale} of {kind.records} records are older than {kind.threshold_days} days "
            f"({rule.basis}); the oldest is from {oldest}: {kind.stale_means}."
        )
    if drifts:
        worst = max(drifts, key=lambda d: abs(d.drift_pct or 0))
        parts.append(
            f"The live check found {len(drifts)} line(s) whose list price moved, up to "
            f"{worst.drift_pct:+.1f} % ({worst.sku}@{worst.region})."
        )
    parts.append(f"For this assessment, {relevance}.")
    parts.append(f"{kind.estimates} of the {kind.records} records are estimates.")
    return " ".join(parts)
