"""Evidence for the agent's figures: stale catalog records, live prices, and the plan lines they price."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.web_research.inventory import CatalogInventory, DatedRecord
from infra_mind.agents.web_research.policy import POLICY_SOURCE, FreshnessRule
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.web_research import KindFreshness, LineDrift

MAX_EVIDENCE = 5


def stale_records(
    inventory: CatalogInventory, kind: str, rule: FreshnessRule, reference: date
) -> list[tuple[DatedRecord, date]]:
    """The kind's records older than its threshold, oldest first."""
    found = [
        (r, as_of)
        for r in inventory.records
        if r.kind == kind and (as_of := r.as_of) and (reference - as_of).days > rule.threshold_days
    ]
    return sorted(found, key=lambda pair: (pair[1], pair[0].ref))


def record_evidence(record: DatedRecord, as_of: date, reference: date, rule: FreshnessRule) -> Evidence:
    detail = (
        f"{record.catalog}: as of {as_of}, {(reference - as_of).days} days before {reference} "
        f"(threshold {rule.threshold_days} days)"
    )
    if record.estimate:
        detail += f" [estimate: {record.estimate}]"
    return Evidence(
        kind=EvidenceKind.CATALOG_PRICE if record.priced else EvidenceKind.CATALOG_RECORD,
        ref=f"{record.kind}:{record.ref}",
        detail=detail,
        source=record.source,
        as_of=as_of,
    )


def kind_evidence(kind: KindFreshness, reference: date) -> Evidence:
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"freshness:{kind.kind}",
        detail=f"{kind.stale} of {kind.records} {kind.label} dated more than {kind.threshold_days} days "
        f"before {reference} (oldest {kind.oldest_as_of}); {kind.estimates} estimate(s)",
    )


def threshold_evidence(kind: KindFreshness) -> Evidence:
    return Evidence(
        kind=EvidenceKind.ASSUMPTION,
        ref=f"freshness_threshold:{kind.kind}",
        detail=f"{kind.threshold_days} days: {kind.threshold_basis}",
        source=POLICY_SOURCE,
    )


def drift_evidence(drift: LineDrift, provider: str, checked_on: date | None) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CATALOG_PRICE,
        ref=f"live:{provider}:{drift.sku}@{drift.region}",
        detail=f"{drift.component}: live ${drift.live_usd:g} per {drift.unit} against the catalog's "
        f"${drift.catalog_usd:g} as of {drift.catalog_as_of} ({drift.drift_pct:+.1f} %); read from "
        f"{drift.meter}" + (f", effective {drift.effective_from}" if drift.effective_from else ""),
        source=drift.query,
        as_of=checked_on,
    )
