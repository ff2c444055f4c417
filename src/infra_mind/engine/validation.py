"""Phase 1: requirements → AssessmentContext. Deterministic and free of I/O."""

from __future__ import annotations

from infra_mind.domain.context import AssessmentContext, Constraints, InputWarning, WorkloadProfile
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


def build_context(spec: AssessmentInput, knowledge: Knowledge) -> AssessmentContext:
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
        residency=tuple(j.value for j in spec.compliance.data_residency),
        frameworks=tuple(applicable_frameworks(spec)),
        budget_ceiling_usd_month=budget_ceiling(spec),
        zones_required=zones,
        regions_required=regions_required,
    )
    warnings += _plausibility(spec, constraints, profile, knowledge)
    return AssessmentContext(
        requirements=spec, profile=profile, constraints=constraints, warnings=tuple(warnings)
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
    growth = spec.growth
    if growth.current_users and growth.users_24m > 100 * growth.current_users:
        out.append(
            _warn(
                "implausible_growth",
                "growth.users_24m",
                f"{growth.users_24m / growth.current_users:.0f}× user growth in 24 months is unusual; "
                "capacity and cost scale with it",
            )
        )
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
