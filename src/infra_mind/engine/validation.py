"""Phase 1: requirements → AssessmentContext. Deterministic and free of I/O."""

from __future__ import annotations

from itertools import pairwise

from infra_mind.domain.context import AssessmentContext, Constraints, InputWarning, WorkloadProfile
from infra_mind.domain.growth import HORIZON_MONTHS
from infra_mind.domain.input_rules import RegionIndex, RegionInfo, defaulted_fields
from infra_mind.domain.requirements import AssessmentInput, CloudProvider, Market
from infra_mind.engine.constraints import (
    applicable_frameworks,
    budget_ceiling,
    ordered_providers,
    ranked_regions,
    redundancy,
)
from infra_mind.engine.profile import Sizer
from infra_mind.errors import FieldError, InvalidInput
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceCategory, Provider

GROWTH_X_24M = 100
"""User growth above this factor over 24 months is unusual; each step of the projection is held to the
same compound monthly rate (100× in 24 months ≈ 21 % a month), so a jump hidden in one step is caught."""
TOTAL_BUDGET_SHARE = 0.5
"""A 36-month total budget below this share of 36 × the monthly limit means the monthly limit cannot be
spent most months: one of the two figures is probably wrong. Spend that ramps up with growth explains a
total somewhat below 36 months at the limit, not one below half of it."""


def region_index(knowledge: Knowledge) -> RegionIndex:
    """The region catalog in the shape the input rules check against (domain.input_rules.parse_input)."""
    return {r.code: RegionInfo(r.provider.value, r.jurisdiction) for r in knowledge.all_regions()}


def build_context(spec: AssessmentInput, knowledge: Knowledge) -> AssessmentContext:
    """Raises InvalidInput for rules that need the catalog when the input was parsed without it."""
    warnings: list[InputWarning] = []
    _check_preferred_regions(spec, knowledge)
    allowed: dict[CloudProvider, tuple[str, ...]] = {}
    for provider in ordered_providers(spec):
        regions = ranked_regions(spec, knowledge, provider)
        if not regions:
            warnings.append(
                _warn(
                    "provider_excluded_by_residency",
                    "compliance.data_residency",
                    f"{provider.value} has no catalogued region in "
                    f"{', '.join(j.value for j in spec.compliance.data_residency)}; it is not considered",
                )
            )
            continue
        codes = [r.code for r in regions]
        preferred = [c for c in spec.providers.preferred_regions if c in codes]
        allowed[provider] = tuple(dict.fromkeys([*preferred, *codes]))
    if not allowed:
        raise InvalidInput(
            [
                FieldError(
                    "compliance.data_residency",
                    "no allowed provider has a region in the required jurisdictions",
                )
            ]
        )
    zones, regions_required = redundancy(spec)
    profile = Sizer(knowledge).profile(spec)
    constraints = Constraints(
        providers=tuple(allowed),
        allowed_regions=allowed,
        home_regions={p: codes[0] for p, codes in allowed.items()},
        region_geography={
            code: region.geography.value
            for p, codes in allowed.items()
            for code in codes
            if (region := knowledge.region(Provider(p.value), code))
        },
        residency=tuple(j.value for j in spec.compliance.data_residency),
        frameworks=tuple(applicable_frameworks(spec)),
        budget_ceiling_usd_month=budget_ceiling(spec),
        zones_required=zones,
        regions_required=regions_required,
    )
    warnings += _plausibility(spec, constraints, profile, knowledge)
    return AssessmentContext(
        requirements=spec,
        profile=profile,
        constraints=constraints,
        warnings=tuple(warnings),
        defaults=defaulted_fields(spec),
    )


def _check_preferred_regions(spec: AssessmentInput, knowledge: Knowledge) -> None:
    known = {r.code for r in knowledge.all_regions()}
    errors = [
        FieldError(
            f"providers.preferred_regions[{i}]", f"unknown region {code!r}; known: {', '.join(sorted(known))}"
        )
        for i, code in enumerate(spec.providers.preferred_regions)
        if code not in known
    ]
    if errors:
        raise InvalidInput(errors)


def _plausibility(
    spec: AssessmentInput, constraints: Constraints, profile: WorkloadProfile, knowledge: Knowledge
) -> list[InputWarning]:
    out: list[InputWarning] = []
    perf = spec.performance
    if constraints.regions_required > 1 and all(len(r) < 2 for r in constraints.allowed_regions.values()):
        out.append(
            _warn(
                "single_region_high_uptime",
                "performance.uptime_target_pct",
                f"{perf.uptime_target_pct}% uptime calls for two regions, but the residency rules leave "
                "one region per provider; the target is at risk",
            )
        )
    if perf.rto_minutes < 15 and constraints.regions_required > 1:
        out.append(
            _warn(
                "aggressive_recovery",
                "performance.rto_minutes",
                f"an RTO of {perf.rto_minutes} min needs active-active regions and automated failover",
            )
        )
    if perf.rpo_minutes == 0:
        out.append(
            _warn(
                "zero_rpo",
                "performance.rpo_minutes",
                "an RPO of 0 needs synchronous replication, which adds write latency and cost",
            )
        )
    residency = set(constraints.residency)
    excluded = {p.value for p in spec.providers.excluded}
    for code in spec.providers.preferred_regions:
        if any(code in r for r in constraints.allowed_regions.values()):
            continue
        owner = next(r.provider.value for r in knowledge.all_regions() if r.code == code)
        if owner in excluded:
            out.append(
                _warn(
                    "preferred_region_of_excluded_provider",
                    "providers.preferred_regions",
                    f"{code} belongs to {owner}, which is excluded; it is ignored",
                )
            )
        elif residency:
            out.append(
                _warn(
                    "preferred_region_breaks_residency",
                    "providers.preferred_regions",
                    f"{code} lies outside the required jurisdictions ({', '.join(sorted(residency))}); "
                    "it is ignored",
                )
            )
    if residency and Market.NORTH_AMERICA in spec.company.customer_markets and "US" not in residency:
        out.append(
            _warn(
                "residency_far_from_customers",
                "compliance.data_residency",
                "data must stay in "
                + ", ".join(sorted(residency))
                + " while customers are in North America: expect higher latency for them",
            )
        )
    out += _growth(spec)
    out += _total_budget(spec)
    floor = _priced_floor(profile, constraints, knowledge)
    if floor is not None and floor > constraints.budget_ceiling_usd_month:
        out.append(
            _warn(
                "budget_below_minimum",
                "budget.monthly_limit_usd",
                f"the compute alone costs at least ${floor:,.0f}/month at list price, above the "
                f"budget ceiling of ${constraints.budget_ceiling_usd_month:,.0f}",
            )
        )
    if spec.team.kubernetes_expertise <= 2 and profile.vcpu > 64:
        out.append(
            _warn(
                "platform_skills_gap",
                "team.kubernetes_expertise",
                f"{profile.vcpu:.0f} vCPU at peak with little Kubernetes expertise: plan for managed "
                "services or training",
            )
        )
    return out


def _growth(spec: AssessmentInput) -> list[InputWarning]:
    """Each step of the projection against the compound monthly rate of GROWTH_X_24M in 24 months."""
    g = spec.growth
    monthly = GROWTH_X_24M ** (1 / 24)
    points = [
        (0, "current_users", g.current_users),
        (6, "users_6m", g.users_6m),
        (12, "users_12m", g.users_12m),
        (24, "users_24m", g.users_24m),
    ]
    out = []
    for (m0, name0, u0), (m1, name1, u1) in pairwise(points):
        if u0 == 0 or u1 <= u0 * monthly ** (m1 - m0):
            continue
        rate = (u1 / u0) ** (1 / (m1 - m0)) - 1
        out.append(
            _warn(
                "implausible_growth",
                f"growth.{name1}",
                f"{u1 / u0:.3g}× user growth from {name0} ({u0:,}) to {name1} ({u1:,}) in {m1 - m0} months "
                f"({rate:.0%} a month) is unusual (the threshold is {GROWTH_X_24M}× in 24 months, "
                f"{monthly - 1:.0%} a month); capacity and cost scale with it",
            )
        )
    return out


def _total_budget(spec: AssessmentInput) -> list[InputWarning]:
    budget = spec.budget
    full = HORIZON_MONTHS * budget.monthly_limit_usd
    if budget.total_max_usd is None or budget.total_max_usd >= TOTAL_BUDGET_SHARE * full:
        return []
    return [
        _warn(
            "total_budget_below_monthly",
            "budget.total_max_usd",
            f"the {HORIZON_MONTHS}-month total of ${budget.total_max_usd:,.0f} allows "
            f"${budget.total_max_usd / HORIZON_MONTHS:,.0f}/month on average, "
            f"{budget.total_max_usd / full:.0%} of the monthly limit of ${budget.monthly_limit_usd:,.0f} "
            f"(${full:,.0f} over {HORIZON_MONTHS} months): one of the two figures is probably wrong; "
            "the plan is checked against both",
        )
    ]


def _priced_floor(profile: WorkloadProfile, constraints: Constraints, knowledge: Knowledge) -> float | None:
    """Cheapest per-vCPU and per-GPU list price across allowed regions, times the peak demand."""
    floors = []
    hours = knowledge.sizing("hours_per_month").value
    for provider, regions in constraints.allowed_regions.items():
        p = Provider(provider.value)
        region = regions[0]
        cpu = knowledge.cheapest_instance(p, region, InstanceCategory.GENERAL, min_vcpu=2)
        if cpu is None:
            continue
        cost = profile.vcpu * cpu.price.usd_per_hour / cpu.instance.vcpu * hours
        gpu = knowledge.cheapest_instance(p, region, InstanceCategory.GPU)
        if profile.gpu_hours_per_month and gpu:
            cost += profile.gpu_hours_per_month * gpu.price.usd_per_hour / gpu.instance.gpu_count
        floors.append(cost)
    return min(floors, default=None)


def _warn(code: str, field: str, message: str) -> InputWarning:
    return InputWarning(code=code, field=field, message=message)
