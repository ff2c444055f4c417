"""The freshness audit: the age of every dated catalog record against a reference date, per kind."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import median

from infra_mind.agents.web_research.inventory import CatalogInventory, DatedRecord
from infra_mind.agents.web_research.policy import POLICY_SOURCE, FreshnessRule, rule_for
from infra_mind.domain.outputs.web_research import FreshnessAudit, KindFreshness, RecordAge


def reference_date(inventory: CatalogInventory, today: date | None) -> tuple[date, str]:
    """The caller's date when given; otherwise the newest as_of of the knowledge base."""
    if today is not None:
        return today, "the date the caller passed in (the day of the run)"
    newest = inventory.newest_as_of()
    if newest is None:
        raise ValueError("the knowledge base holds no dated record and no reference date was given")
    return newest, "the newest as_of in the knowledge base (no run date was passed in)"


def kind_rules(inventory: CatalogInventory) -> dict[str, FreshnessRule]:
    priced: dict[str, bool] = defaultdict(bool)
    for record in inventory.records:
        priced[record.kind] |= record.priced
    return {kind: rule_for(kind, priced=is_priced) for kind, is_priced in priced.items()}


def audit(inventory: CatalogInventory, reference: date, basis: str) -> FreshnessAudit:
    rules = kind_rules(inventory)
    by_kind: dict[str, list[DatedRecord]] = defaultdict(list)
    for record in inventory.records:
        by_kind[record.kind].append(record)
    ages = sorted(
        (_age(r, as_of, reference, rules[r.kind]) for r in inventory.records if (as_of := r.as_of)),
        key=lambda a: (a.as_of, a.kind, a.ref),
    )
    kinds = [_kind(kind, by_kind[kind], rules[kind], reference) for kind in sorted(by_kind)]
    return FreshnessAudit(
        reference_date=reference,
        reference_basis=basis,
        catalogs=list(inventory.catalogs),
        records=len(ages),
        stale=sum(a.stale for a in ages),
        estimates=sum(a.estimate for a in ages),
        kinds=kinds,
        ages=ages,
        undated=[f"{r.catalog}: {r.ref}" for r in inventory.records if r.as_of is None],
        future_dated=[f"{a.catalog}: {a.ref} ({a.as_of})" for a in ages if a.age_days < 0],
    )


def _age(record: DatedRecord, as_of: date, reference: date, rule: FreshnessRule) -> RecordAge:
    age = (reference - as_of).days
    return RecordAge(
        kind=record.kind,
        ref=record.ref,
        catalog=record.catalog,
        as_of=as_of,
        age_days=age,
        stale=age > rule.threshold_days,
        estimate=record.estimate is not None,
    )


def _kind(kind: str, records: list[DatedRecord], rule: FreshnessRule, reference: date) -> KindFreshness:
    dated = [r.as_of for r in records if r.as_of is not None]
    ages = [(reference - d).days for d in dated]
    return KindFreshness(
        kind=kind,
        label=rule.label,
        records=len(dated),
        stale=sum(age > rule.threshold_days for age in ages),
        estimates=sum(r.estimate is not None for r in records if r.as_of is not None),
        undated=len(records) - len(dated),
        threshold_days=rule.threshold_days,
        threshold_basis=f"{POLICY_SOURCE}: {rule.basis}",
        stale_means=rule.stale_means,
        oldest_as_of=min(dated, default=None),
        newest_as_of=max(dated, default=None),
        median_age_days=median(ages) if ages else None,
        max_age_days=max(ages, default=None),
    )
