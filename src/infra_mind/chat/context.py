"""Passages of the phase-1 constraints, warnings and defaults: in the context and in assessment.json alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra_mind.agents.compliance.design import label
from infra_mind.chat.index import Passage
from infra_mind.domain.context import ApplicableFramework, Constraints, DefaultedField, InputWarning
from infra_mind.domain.requirements import AssessmentInput, CloudProvider
from infra_mind.knowledge.models import Region

RegionsByCode = Mapping[tuple[str, str], Region]
"""Catalog regions by (provider, code)."""


def constraint_passages(
    constraints: Constraints, spec: AssessmentInput | None = None, regions: RegionsByCode | None = None
) -> list[Passage]:
    """With the input (`spec`) at hand, each constraint also names the input fields it was derived from."""
    passages = framework_passages(constraints.frameworks)
    passages += [
        _region_passage(constraints, provider, regions or {}) for provider in constraints.allowed_regions
    ]
    passages += [
        _providers_passage(constraints, spec),
        _residency_passage(constraints),
        _redundancy_passage(constraints, spec),
        _budget_passage(constraints, spec),
    ]
    return passages


def framework_passages(frameworks: Iterable[ApplicableFramework]) -> list[Passage]:
    passages = [
        Passage(
            "framework",
            f"constraints.frameworks.{f.framework.value}",
            f"{label(f.framework)} applies ({'declared' if f.declared else 'implied by the input'})",
            f.reasons,
            keywords=f"{f.framework.value} compliance framework",
        )
        for f in frameworks
    ]
    return passages or [
        Passage(
            "framework",
            "constraints.frameworks",
            "No compliance framework applies",
            (
                "none is declared in compliance.frameworks and none follows from the company, customer "
                "markets, data types and data residency in the input",
            ),
            keywords="compliance framework",
        )
    ]


def warning_passages(warnings: Iterable[InputWarning]) -> list[Passage]:
    return [
        Passage(
            "warning",
            w.field,
            f"Validation warning on {w.field}",
            (w.message,),
            keywords=f"{w.code} warning validation",
        )
        for w in warnings
    ]


def default_passages(defaults: Iterable[DefaultedField]) -> list[Passage]:
    return [
        Passage(
            "default",
            d.field,
            f"Default used for {d.field}: {d.value}",
            (f"{d.field} was not in the input; the default {d.value} drives {d.drives}",),
            keywords="default defaulted input",
        )
        for d in defaults
    ]


def _region_passage(constraints: Constraints, provider: CloudProvider, regions: RegionsByCode) -> Passage:
    codes = constraints.allowed_regions[provider]
    home = constraints.home_regions.get(provider, codes[0])
    lines = [f"primary region {home}"]
    for code in codes:
        region = regions.get((provider.value, code))
        if region:
            lines.append(f"{code}: {region.name}, {region.country}, jurisdiction {region.jurisdiction}")
        elif code in constraints.region_geography:
            lines.append(f"{code}: geography {constraints.region_geography[code]}")
    residency = ", ".join(constraints.residency)
    lines.append(
        f"allowed by compliance.data_residency: {residency}"
        if residency
        else "no data-residency restriction: any catalogued region of the provider may be used"
    )
    sourced = regions.get((provider.value, home))
    return Passage(
        "constraint",
        f"constraints.allowed_regions.{provider.value}",
        f"{provider.value.upper()} regions allowed: {', '.join(codes)}",
        tuple(lines),
        keywords=f"{provider.value} region location",
        source=sourced.source if sourced else None,
        as_of=sourced.as_of if sourced else None,
    )


def _providers_passage(constraints: Constraints, spec: AssessmentInput | None) -> Passage:
    lines = ["considered in this order: " + ", ".join(p.value for p in constraints.providers)]
    if spec:
        prefs = spec.providers
        lines.append("providers.preferred: " + (", ".join(p.value for p in prefs.preferred) or "none"))
        lines.append("providers.excluded: " + (", ".join(p.value for p in prefs.excluded) or "none"))
        current = ", ".join(p.value for p in spec.current_infrastructure.providers)
        lines.append(f"current_infrastructure.providers: {current or 'none'}")
    return Passage(
        "constraint",
        "constraints.providers",
        "Cloud providers considered: " + ", ".join(p.value.upper() for p in constraints.providers),
        tuple(lines),
        keywords="cloud provider providers",
    )


def _residency_passage(constraints: Constraints) -> Passage:
    residency = ", ".join(constraints.residency)
    return Passage(
        "constraint",
        "constraints.residency",
        f"Data residency: {residency or 'no restriction'}",
        (
            f"data may be stored only in regions under the jurisdiction of {residency}"
            if residency
            else "compliance.data_residency is empty: data may be stored in any region",
        ),
        keywords="residency data stored jurisdiction region",
    )


def _redundancy_passage(constraints: Constraints, spec: AssessmentInput | None) -> Passage:
    zones, regions = constraints.zones_required, constraints.regions_required
    if spec:
        performance = spec.performance
        why = (
            f"derived in phase 1 from performance.uptime_target_pct = {performance.uptime_target_pct:g} % "
            "and performance.global_distribution = " + ("yes" if performance.global_distribution else "no")
        )
    else:
        why = f"constraints.zones_required = {zones}, constraints.regions_required = {regions}"
    return Passage(
        "constraint",
        "constraints.zones_required",
        f"{zones} availability zone(s) and {regions} region(s) required",
        (why,),
        keywords="zones regions redundancy availability uptime",
    )


def _budget_passage(constraints: Constraints, spec: AssessmentInput | None) -> Passage:
    ceiling = constraints.budget_ceiling_usd_month
    lines = []
    if spec:
        budget = spec.budget
        factor = ceiling / budget.monthly_limit_usd
        lines.append(
            f"budget.monthly_limit_usd ${budget.monthly_limit_usd:,.2f} × {factor:.3g} for "
            f"{budget.flexibility.value} flexibility"
        )
        if budget.total_min_usd is not None or budget.total_max_usd is not None:
            low = f"${budget.total_min_usd:,.0f}" if budget.total_min_usd is not None else "no minimum"
            high = f"${budget.total_max_usd:,.0f}" if budget.total_max_usd is not None else "no maximum"
            lines.append(f"36-month total budget: {low} to {high}")
        lines.append(f"optimisation priority: {budget.optimization_priority.value}")
    else:
        lines.append("the monthly budget limit × the flexibility factor")
    return Passage(
        "constraint",
        "constraints.budget_ceiling_usd_month",
        f"Monthly budget ceiling ${ceiling:,.2f}",
        tuple(lines),
        keywords="budget ceiling limit cost spend",
    )
