"""How old each kind of catalog record may get before it should be re-read: Infra Mind's freshness policy.

The thresholds are stated assumptions (engineering rules of thumb), not figures read from a source."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Priority

POLICY_SOURCE = "Infra Mind freshness policy v1: engineering rule of thumb"
PRICE_PRACTICES = ("COST01-BP03", "COST07-BP02")
PRICE_THRESHOLD_DAYS = 180
PRICE_KINDS = frozenset({"instance_prices", "service_prices"})
COMPLIANCE_KINDS = frozenset({"controls", "eligibility", "region_authorizations"})


@dataclass(frozen=True)
class FreshnessRule:
    label: str
    threshold_days: int
    basis: str
    stale_means: str
    pillar: Pillar
    used_by: str
    priority: Priority = Priority.MEDIUM
    impact: int = 3
    practices: tuple[str, ...] = ()
    refresh: tuple[str, ...] = ()


PRICE_REFRESH = (
    "Re-read the prices from the providers' price lists (Azure Retail Prices API, AWS Price List API, "
    "Google Cloud Billing Catalog API) and update each record's as_of",
    "Re-run the assessment and compare the provider totals with the previous run",
)
GENERIC_REFRESH = (
    "Re-read each stale record from its source and update its figure, as_of and estimate method",
    "Re-run the assessment and compare the affected sections with the previous run",
)

RULES: dict[str, FreshnessRule] = {
    "instance_prices": FreshnessRule(
        "instance list prices",
        PRICE_THRESHOLD_DAYS,
        "providers change list prices without a schedule; a price older than about six months is re-read "
        "before a budget rests on it",
        f"the price was read more than {PRICE_THRESHOLD_DAYS} days ago and may have changed",
        Pillar.COST,
        "the bill of materials prices every instance line from them",
        practices=PRICE_PRACTICES,
        refresh=PRICE_REFRESH,
    ),
    "service_prices": FreshnessRule(
        "managed-service list prices",
        PRICE_THRESHOLD_DAYS,
        "providers change list prices without a schedule; a price older than about six months is re-read "
        "before a budget rests on it",
        f"the price was read more than {PRICE_THRESHOLD_DAYS} days ago and may have changed",
        Pillar.COST,
        "the bill of materials prices every managed-service line from them",
        practices=PRICE_PRACTICES,
        refresh=PRICE_REFRESH,
    ),
    "regions": FreshnessRule(
        "regions",
        365,
        "providers open regions and change their sovereignty offers every year",
        "the region record was checked more than a year ago",
        Pillar.COST,
        "every plan places its workloads in these regions",
        practices=("COST07-BP02", "SUS01-BP01"),
        refresh=GENERIC_REFRESH,
    ),
    "controls": FreshnessRule(
        "compliance controls",
        3 * 365,
        "frameworks are revised every few years (ISO/IEC 27001:2013 became 2022, NIST CSF 1.1 became 2.0 "
        "in 2024)",
        "the control follows a framework version published more than three years ago: confirm it is still "
        "the version in force",
        Pillar.SECURITY,
        "the compliance agent scores the design against them",
        practices=("SEC07-BP01",),
        refresh=(
            "Check each framework's current version with its publisher",
            "Update the control records whose text or identifiers changed, with the new version's date",
        ),
    ),
    "eligibility": FreshnessRule(
        "service compliance eligibility",
        365,
        "providers add services to their compliance scope lists through the year",
        "the eligibility was checked more than a year ago",
        Pillar.SECURITY,
        "the compliance agent checks the plan's services against them",
        practices=("SEC07-BP01",),
        refresh=(
            "Re-read each provider's services-in-scope list for the frameworks in the catalog",
            "Update the eligibility records and their as_of",
        ),
    ),
    "region_authorizations": FreshnessRule(
        "region authorizations",
        365,
        "authorizations such as FedRAMP are granted and extended region by region through the year",
        "the authorization was checked more than a year ago",
        Pillar.SECURITY,
        "the compliance agent checks the plan's regions against them",
        practices=("SEC07-BP01",),
        refresh=GENERIC_REFRESH,
    ),
    "sla": FreshnessRule(
        "availability SLAs",
        365,
        "providers revise service-level agreements as services change",
        "the SLA was read more than a year ago",
        Pillar.RELIABILITY,
        "every plan's availability and disaster-recovery choice is computed from them",
        practices=("REL13-BP02",),
        refresh=GENERIC_REFRESH,
    ),
    "dr_strategies": FreshnessRule(
        "disaster-recovery strategies",
        3 * 365,
        "the strategies are architecture patterns that change slowly",
        "the strategy's figures were read more than three years ago",
        Pillar.RELIABILITY,
        "every plan's disaster-recovery strategy is chosen from them",
        priority=Priority.LOW,
        practices=("REL13-BP02",),
        refresh=GENERIC_REFRESH,
    ),
    "sizing": FreshnessRule(
        "sizing rules",
        365,
        "rules of thumb are re-checked against measurements once a year",
        "the rule was set more than a year ago",
        Pillar.PERFORMANCE,
        "every plan is sized with these rules",
        practices=("COST06-BP02",),
        refresh=(
            "Compare each stale rule with load-test or production measurements",
            "Update the rule's value and as_of, or restate why it still holds",
        ),
    ),
    "best_practices": FreshnessRule(
        "Well-Architected best practices",
        365,
        "the Well-Architected Framework publishes dated revisions",
        "the index was read more than a year ago",
        Pillar.OPERATIONAL_EXCELLENCE,
        "every recommendation is tagged from this index",
        priority=Priority.LOW,
        refresh=GENERIC_REFRESH,
    ),
}

DEFAULT_DAYS = 365


def rule_for(kind: str, *, priced: bool) -> FreshnessRule:
    """The rule of a known kind; other kinds get the price rule when their records carry USD figures."""
    if kind in RULES:
        return RULES[kind]
    label = kind.replace(".", " ").replace("_", " ")
    used_by = "only the agents that read this catalog use it, so its weight in this plan is not known here"
    if priced:
        return FreshnessRule(
            label,
            PRICE_THRESHOLD_DAYS,
            "a catalog kind without its own rule whose records carry USD figures: the price rule applies",
            f"the figure was read more than {PRICE_THRESHOLD_DAYS} days ago and may have changed",
            Pillar.COST,
            used_by,
            priority=Priority.LOW,
            impact=2,
            practices=PRICE_PRACTICES,
            refresh=GENERIC_REFRESH,
        )
    return FreshnessRule(
        label,
        DEFAULT_DAYS,
        "a catalog kind without its own rule: re-checked once a year",
        "the record was checked more than a year ago",
        Pillar.OPERATIONAL_EXCELLENCE,
        used_by,
        priority=Priority.LOW,
        impact=2,
        refresh=GENERIC_REFRESH,
    )
