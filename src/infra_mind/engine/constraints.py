"""Constraints derived from the requirements: providers, regions, frameworks, budget, redundancy."""

from __future__ import annotations

from infra_mind.domain.context import ApplicableFramework
from infra_mind.domain.enums import DataType, Framework
from infra_mind.domain.requirements import (
    AssessmentInput,
    CloudProvider,
    CompanySize,
    CurrentProvider,
    Flexibility,
    Industry,
    Market,
)
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Geography, InstanceCategory, Provider, Region, ServiceKind

BUDGET_FLEXIBILITY = {Flexibility.STRICT: 1.0, Flexibility.MODERATE: 1.1, Flexibility.FLEXIBLE: 1.25}
CCPA_REVENUE_THRESHOLD_USD = 26_625_000
CCPA_CONSUMER_THRESHOLD = 100_000

MARKET_GEOGRAPHY: dict[Market, tuple[Geography, ...]] = {
    Market.NORTH_AMERICA: (Geography.NORTH_AMERICA,),
    Market.SOUTH_AMERICA: (Geography.SOUTH_AMERICA, Geography.NORTH_AMERICA),
    Market.EUROPE: (Geography.EUROPE,),
    Market.UK: (Geography.EUROPE,),
    Market.APAC: (Geography.APAC,),
    Market.MIDDLE_EAST: (Geography.MIDDLE_EAST, Geography.EUROPE),
    Market.AFRICA: (Geography.AFRICA, Geography.EUROPE),
}


def ordered_providers(spec: AssessmentInput) -> list[CloudProvider]:
    prefs = spec.providers
    current = [CloudProvider(p.value) for p in spec.current_infrastructure.providers if p.value in _CLOUDS]
    order = [*prefs.preferred, *current, *CloudProvider]
    seen: list[CloudProvider] = []
    for provider in order:
        if provider not in seen and provider not in prefs.excluded:
            seen.append(provider)
    return seen


def ranked_regions(spec: AssessmentInput, knowledge: Knowledge, provider: CloudProvider) -> list[Region]:
    """Regions allowed by residency, nearest to the main market first, then cheapest.

    Within a geography a region where the catalog prices fewer service kinds ranks later: a plan placed
    there would leave lines unpriced.
    """
    residency = {j.value for j in spec.compliance.data_residency}
    allowed = [
        r for r in knowledge.regions(Provider(provider.value)) if not residency or r.jurisdiction in residency
    ]
    market = spec.company.customer_markets[0]

    def rank(region: Region) -> tuple[int, int, int, float, str]:
        geographies = MARKET_GEOGRAPHY[market]
        geo_rank = (
            geographies.index(region.geography) if region.geography in geographies else len(geographies)
        )
        uk_rank = 0 if (market is Market.UK) == (region.jurisdiction == "UK") else 1
        offer = knowledge.cheapest_instance(
            Provider(provider.value), region.code, InstanceCategory.GENERAL, min_vcpu=2
        )
        price = offer.price.usd_per_hour if offer else float("inf")
        cloud = Provider(provider.value)
        unpriced = sum(not knowledge.service_prices(cloud, kind, region.code) for kind in ServiceKind)
        return geo_rank, uk_rank, unpriced, price, region.code

    return sorted(allowed, key=rank)


def applicable_frameworks(spec: AssessmentInput) -> list[ApplicableFramework]:
    reasons: dict[Framework, list[str]] = {
        f: ["declared in compliance.frameworks"] for f in spec.compliance.frameworks
    }
    markets = set(spec.company.customer_markets)
    data = set(spec.security.data_types)
    industry = spec.company.industry

    def add(framework: Framework, reason: str) -> None:
        reasons.setdefault(framework, []).append(reason)

    if markets & {Market.EUROPE, Market.UK} and data & _PERSONAL:
        add(Framework.GDPR, "personal data of customers in the EU/UK (GDPR / UK GDPR, art. 3)")
    if "EU" in {j.value for j in spec.compliance.data_residency} and data & _PERSONAL:
        add(Framework.GDPR, "personal data held under EU residency")
    if DataType.HEALTH in data and Market.NORTH_AMERICA in markets:
        add(Framework.HIPAA, "health data of patients in the US market (protected health information)")
    if DataType.PAYMENT_CARD in data:
        add(Framework.PCI_DSS, "stores, processes or transmits payment card data")
    if Market.NORTH_AMERICA in markets and data & _PERSONAL:
        revenue = spec.company.annual_revenue_usd or 0
        users = spec.growth.users_12m
        if revenue >= CCPA_REVENUE_THRESHOLD_USD or users >= CCPA_CONSUMER_THRESHOLD:
            add(
                Framework.CCPA,
                f"personal data of US consumers with revenue ≥ ${CCPA_REVENUE_THRESHOLD_USD:,} "
                f"or ≥ {CCPA_CONSUMER_THRESHOLD:,} consumers (Cal. Civ. Code 1798.140(d))",
            )
    if industry is Industry.GOVERNMENT and Market.NORTH_AMERICA in markets:
        add(Framework.FEDRAMP, "cloud services for US federal agencies require a FedRAMP authorization")
    if industry in {Industry.GOVERNMENT, Industry.ENERGY} and Market.NORTH_AMERICA in markets:
        add(Framework.NIST_CSF, "US public sector / critical infrastructure baseline")
    if industry in {Industry.TECHNOLOGY, Industry.FINANCE} and spec.company.size is not CompanySize.STARTUP:
        add(Framework.SOC2, "business customers of a service provider routinely ask for a SOC 2 report")
    order = list(Framework)
    return [
        ApplicableFramework(
            framework=f, declared=f in spec.compliance.frameworks, reasons=tuple(dict.fromkeys(r))
        )
        for f, r in sorted(reasons.items(), key=lambda item: order.index(item[0]))
    ]


def redundancy(spec: AssessmentInput) -> tuple[int, int]:
    """(zones, regions) the uptime, recovery and distribution targets call for."""
    uptime = spec.performance.uptime_target_pct
    zones = 3 if uptime >= 99.95 else 2 if uptime >= 99.5 else 1
    regions = 2 if uptime >= 99.99 or spec.performance.global_distribution else 1
    return zones, regions


def budget_ceiling(spec: AssessmentInput) -> float:
    return round(spec.budget.monthly_limit_usd * BUDGET_FLEXIBILITY[spec.budget.flexibility], 2)


_CLOUDS = {CurrentProvider.AWS.value, CurrentProvider.AZURE.value, CurrentProvider.GCP.value}
_PERSONAL = {
    DataType.PERSONAL,
    DataType.HEALTH,
    DataType.PAYMENT_CARD,
    DataType.FINANCIAL,
    DataType.CHILDREN,
    DataType.BIOMETRIC,
}
