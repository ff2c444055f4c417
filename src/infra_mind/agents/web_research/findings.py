"""The agent's findings: the live check, price drift, catalog freshness, the plan's price age, estimates."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.evidence import line_evidence, quote_evidence
from infra_mind.agents.web_research.evidence import (
    MAX_EVIDENCE,
    drift_evidence,
    kind_evidence,
    record_evidence,
    stale_records,
    threshold_evidence,
)
from infra_mind.agents.web_research.freshness import kind_rules
from infra_mind.agents.web_research.inventory import CatalogInventory
from infra_mind.agents.web_research.plan_prices import stale_lines
from infra_mind.agents.web_research.policy import PRICE_KINDS
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Severity
from infra_mind.domain.outputs.web_research import FreshnessAudit, LiveCheck, PlanPriceAge
from infra_mind.domain.pricing import ProviderQuote

MAX_LISTED = 8


def live_findings(live: LiveCheck, checked_on: date | None) -> list[Finding]:
    titles = {
        "not_configured": "No live price check was made: the agent ran offline",
        "not_applicable": f"No live price check was made: {live.provider} is not an allowed provider",
        "failed": f"The live {live.provider} price check failed",
        "completed": f"Live {live.provider} list prices: {live.matched} of {live.lines_checked} lines "
        f"matched, {live.flagged} differ by more than {live.threshold_pct:g} %",
    }
    severity = {
        "failed": Severity.MEDIUM,
        "completed": Severity.MEDIUM if live.flagged else Severity.INFO,
    }.get(live.status, Severity.INFO)
    findings = [
        Finding(
            id="live-check",
            title=titles[live.status],
            detail=live.detail,
            severity=severity,
            evidence=[
                Evidence(kind=EvidenceKind.DERIVED, ref=f"live_check:{live.source}", detail=live.detail)
            ],
        )
    ]
    flagged = [d for d in live.drifts if d.flagged]
    if flagged and live.provider:
        delta = sum((d.monthly_live_usd or 0) - d.monthly_catalog_usd for d in flagged)
        findings.append(
            Finding(
                id="price-drift",
                title=f"{len(flagged)} {live.provider} line(s) cost {delta:+,.2f} USD/month at live list "
                "prices",
                detail="; ".join(
                    f"{d.component} ({d.sku}@{d.region}): ${d.catalog_usd:g} → ${d.live_usd:g} per {d.unit} "
                    f"({d.drift_pct:+.1f} %)"
                    for d in flagged[:MAX_LISTED]
                ),
                severity=Severity.MEDIUM,
                evidence=[drift_evidence(d, live.provider, checked_on) for d in flagged[:MAX_EVIDENCE]],
            )
        )
    return findings


def freshness_findings(audit: FreshnessAudit, inventory: CatalogInventory) -> list[Finding]:
    reference = audit.reference_date
    stale_kinds = [k for k in audit.kinds if k.stale]
    findings = [
        Finding(
            id="catalog-freshness",
            title=f"{audit.stale} of {audit.records} catalog records are older than their kind's threshold",
            detail=f"Freshness audit of {len(audit.catalogs)} catalog files against {reference} "
            f"({audit.reference_basis}): "
            + "; ".join(f"{k.label} {k.stale}/{k.records} over {k.threshold_days} days" for k in audit.kinds)
            + ".",
            severity=Severity.LOW if audit.stale else Severity.INFO,
            evidence=[kind_evidence(k, reference) for k in audit.kinds],
        )
    ]
    rules = kind_rules(inventory)
    for kind in stale_kinds:
        rule = rules[kind.kind]
        oldest = stale_records(inventory, kind.kind, rule, reference)
        findings.append(
            Finding(
                id=f"stale-{kind.kind}",
                title=f"{kind.stale} of {kind.records} {kind.label} are older than "
                f"{kind.threshold_days} days",
                detail=f"{kind.stale_means[0].upper()}{kind.stale_means[1:]}. Oldest: "
                + ", ".join(f"{r.ref} ({as_of})" for r, as_of in oldest[:MAX_LISTED])
                + ".",
                severity=Severity.MEDIUM if kind.kind in PRICE_KINDS else Severity.LOW,
                evidence=[
                    *(record_evidence(r, as_of, reference, rule) for r, as_of in oldest[:MAX_EVIDENCE]),
                    threshold_evidence(kind),
                ],
            )
        )
    estimated = [k for k in audit.kinds if k.estimates]
    if estimated:
        findings.append(
            Finding(
                id="catalog-estimates",
                title=f"{audit.estimates} of {audit.records} catalog records are estimates",
                detail="Derived figures, each stating its method on the record: "
                + "; ".join(f"{k.label} {k.estimates}/{k.records}" for k in estimated)
                + ".",
                evidence=[kind_evidence(k, reference) for k in estimated],
            )
        )
    if audit.undated or audit.future_dated:
        findings.append(
            Finding(
                id="catalog-dates",
                title=f"{len(audit.undated)} undated and {len(audit.future_dated)} future-dated catalog "
                "records",
                detail="Every record must carry the date its figure was read; "
                + "; ".join([*audit.undated, *audit.future_dated][:MAX_LISTED]),
                severity=Severity.HIGH,
            )
        )
    return findings


def plan_price_finding(plan_prices: PlanPriceAge, quote: ProviderQuote, reference: date) -> Finding:
    stale = stale_lines(quote, reference)
    share = plan_prices.stale_monthly_usd / plan_prices.monthly_usd if plan_prices.monthly_usd else 0
    return Finding(
        id="plan-price-age",
        title=f"{plan_prices.stale_lines} of {plan_prices.lines} priced lines of the {plan_prices.provider} "
        f"plan use prices older than {plan_prices.threshold_days} days",
        detail=f"${plan_prices.stale_monthly_usd:,.2f} of the plan's ${plan_prices.monthly_usd:,.2f}/month "
        f"({share:.0%}) rests on prices read more than {plan_prices.threshold_days} days before {reference}"
        + (f"; the oldest is from {plan_prices.oldest_as_of}" if plan_prices.oldest_as_of else ""),
        severity=Severity.MEDIUM if share >= 0.5 else Severity.LOW if stale else Severity.INFO,
        evidence=[quote_evidence(quote), *(line_evidence(line) for line in stale[:MAX_EVIDENCE])],
    )
