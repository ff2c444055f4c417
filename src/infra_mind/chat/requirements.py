"""Passages of the phase-1 context: the normalised requirements and the derived workload profile."""

from __future__ import annotations

from infra_mind.chat.context import (
    RegionsByCode,
    constraint_passages,
    default_passages,
    warning_passages,
)
from infra_mind.chat.index import Passage, fragments
from infra_mind.domain.context import REQUEST_TYPES, AssessmentContext, WorkloadDemand
from infra_mind.domain.requirements import AiMaturity, AssessmentInput
from infra_mind.domain.workloads import Workload

AI_WORKLOAD_TYPES = frozenset({"ml_training", "ml_inference", "llm_application"})


def context_passages(ctx: AssessmentContext, regions: RegionsByCode) -> list[Passage]:
    spec = ctx.requirements
    passages = [_company(spec), *_goals(spec), _growth(ctx), _team(spec), _current(spec), _profile(ctx)]
    passages += [
        _workload(i, w, d) for i, (w, d) in enumerate(zip(spec.workloads, ctx.profile.demands, strict=True))
    ]
    passages += [
        Passage(
            "profile",
            f"sizing:{rule.key}",
            f"Sizing rule {rule.key}: {rule.value:g} {rule.unit}",
            fragments(rule.rationale),
            keywords="sizing assumption rule",
            source=rule.source,
            as_of=rule.as_of,
        )
        for rule in ctx.profile.rules
    ]
    passages += [_ai(spec), _performance(spec), _security(spec), _timeline(spec)]
    if spec.notes:
        passages.append(Passage("requirement", "notes", "Notes in the input", fragments(spec.notes)))
    passages += constraint_passages(ctx.constraints, spec, regions)
    passages += warning_passages(ctx.warnings)
    passages += default_passages(ctx.defaults)
    return passages


def _company(spec: AssessmentInput) -> Passage:
    c = spec.company
    lines = [
        f"growth stage {c.growth_stage.value}",
        "customer markets: " + ", ".join(m.value for m in c.customer_markets),
    ]
    if c.employees is not None:
        lines.append(f"{c.employees:,} employees")
    if c.annual_revenue_usd is not None:
        lines.append(f"annual revenue ${c.annual_revenue_usd:,.0f}")
    return Passage(
        "requirement",
        "company",
        f"{c.name}: {c.size.value} {c.industry.value} company",
        (*lines, *fragments(c.description)),
        keywords="company industry market customers",
    )


def _goals(spec: AssessmentInput) -> list[Passage]:
    return [
        Passage(
            "requirement",
            f"goals[{i}]",
            f"Goal: {g.description}",
            (f"{g.category.value} goal, priority {g.priority.value}, due within {g.timeline_months} months",),
            keywords="goal objective",
        )
        for i, g in enumerate(spec.goals)
    ]


def _growth(ctx: AssessmentContext) -> Passage:
    g = ctx.requirements.growth
    return Passage(
        "requirement",
        "growth",
        f"User growth: {g.current_users:,} users now, {g.users_24m:,} in 24 months",
        (
            f"{g.current_users:,} users now, {g.users_6m:,} at 6 months, {g.users_12m:,} at 12 months and "
            f"{g.users_24m:,} at 24 months",
            f"load at 24 months is {ctx.profile.growth_factor_24m:g}× today (profile.growth_factor_24m)",
        ),
        keywords="growth users grow projected projection",
    )


def _team(spec: AssessmentInput) -> Passage:
    t = spec.team
    return Passage(
        "requirement",
        "team",
        f"Team of {t.size} ({t.seniority.value} seniority)",
        (
            f"{t.devops_engineers} DevOps, {t.data_engineers} data and {t.ml_engineers} ML engineers",
            f"expertise from 1 to 5: cloud {t.cloud_expertise}, Kubernetes {t.kubernetes_expertise}, "
            f"databases {t.database_expertise}",
        ),
        keywords="team skills engineers people staff",
    )


def _current(spec: AssessmentInput) -> Passage:
    c = spec.current_infrastructure
    providers = ", ".join(p.value for p in c.providers) or "no provider"
    lines = [f"monthly spend ${c.monthly_spend_usd:,.2f}", f"{c.age_years:g} years old"]
    if c.services:
        lines.append("services: " + ", ".join(c.services))
    if c.spend_breakdown_pct:
        lines.append(
            "spend breakdown: " + ", ".join(f"{k.value} {v:g} %" for k, v in c.spend_breakdown_pct.items())
        )
    return Passage(
        "requirement",
        "current_infrastructure",
        f"Current infrastructure: {providers}, {c.architecture.value} architecture",
        tuple(lines),
        keywords="current existing today infrastructure spend migration",
    )


def _profile(ctx: AssessmentContext) -> Passage:
    p = ctx.profile
    return Passage(
        "profile",
        "profile",
        "Peak load and capacity of all workloads (derived profile)",
        (
            f"peak {p.peak_rps:g} req/s and average {p.average_rps:g} req/s over the request-serving "
            "workloads",
            f"{p.vcpu:g} vCPU and {p.memory_gib:g} GiB memory at peak",
            f"storage {p.storage_gb:g} GB now and {p.storage_gb_24m:g} GB at 24 months",
            f"{p.serving_gpu_count} always-on serving GPU(s); {p.gpu_hours_per_month:g} GPU-hours per month, "
            f"{p.training_gpu_hours_per_month:g} of them for training",
            f"egress {p.egress_gb_per_month:g} GB per month",
            f"load at 24 months is {p.growth_factor_24m:g}× today",
        ),
        keywords="profile demand sizing capacity load peak",
    )


def _workload(position: int, workload: Workload, d: WorkloadDemand) -> Passage:
    lines = []
    if d.type in REQUEST_TYPES or d.peak_rps:
        unit = "req/s" if d.type in REQUEST_TYPES else "messages/s"
        lines.append(f"peak {d.peak_rps:g} {unit}, average {d.average_rps:g} {unit}")
    lines.append(f"{d.vcpu:g} vCPU and {d.memory_gib:g} GiB memory at peak")
    if d.storage_gb or d.storage_gb_24m:
        lines.append(f"storage {d.storage_gb:g} GB now, {d.storage_gb_24m:g} GB at 24 months")
    if d.gpu_count:
        lines.append(f"{d.gpu_count} GPU(s), {d.gpu_hours_per_month:g} GPU-hours per month")
    if d.egress_gb_per_month:
        lines.append(f"egress {d.egress_gb_per_month:g} GB per month")
    return Passage(
        "requirement",
        f"workloads[{position}]",
        f"Workload {workload.name}: {workload.type.replace('_', ' ')}, {workload.criticality.value}",
        (*lines, *d.assumptions),
        keywords=f"workload {workload.type} sizing",
    )


def _ai(spec: AssessmentInput) -> Passage:
    ai = spec.ai_ml
    workloads = [w.name for w in spec.workloads if w.type in AI_WORKLOAD_TYPES]
    keywords = "ai ml machine learning artificial intelligence model llm gpu"
    if not workloads and not ai.use_cases and ai.maturity is AiMaturity.NONE:
        return Passage(
            "requirement",
            "ai_ml",
            "No AI or ML workload",
            (
                "the input lists no ML training, ML inference or LLM workload and no AI use case "
                "(ai_ml.maturity none)",
            ),
            keywords=keywords,
        )
    lines = ["AI/ML workloads: " + (", ".join(workloads) or "none in the input")]
    if ai.use_cases:
        lines.append("use cases: " + ", ".join(ai.use_cases))
    if ai.model_types:
        lines.append("model types: " + ", ".join(m.value for m in ai.model_types))
    lines.append(f"training frequency {ai.training_frequency.value}")
    if ai.inference_requests_per_day:
        lines.append(f"{ai.inference_requests_per_day:,} inference requests per day")
    if ai.model_sizes_b_params:
        lines.append("model sizes: " + ", ".join(f"{s:g} B parameters" for s in ai.model_sizes_b_params))
    return Passage(
        "requirement",
        "ai_ml",
        f"AI and ML plans: maturity {ai.maturity.value}",
        tuple(lines),
        keywords=keywords,
    )


def _performance(spec: AssessmentInput) -> Passage:
    p = spec.performance
    lines = ["global distribution: " + ("yes" if p.global_distribution else "no")]
    if p.p95_latency_ms is not None:
        lines.append(f"p95 latency target {p.p95_latency_ms} ms")
    return Passage(
        "requirement",
        "performance",
        f"Uptime target {p.uptime_target_pct:g} %, RTO {p.rto_minutes} min, RPO {p.rpo_minutes} min",
        tuple(lines),
        keywords="uptime availability recovery rto rpo performance latency",
    )


def _security(spec: AssessmentInput) -> Passage:
    s = spec.security
    existing = set(s.existing_controls)
    missing = [c.value for c in s.required_controls if c not in existing]
    return Passage(
        "requirement",
        "security",
        f"Security: data classified {s.data_classification.value}",
        (
            "required controls: " + (", ".join(c.value for c in s.required_controls) or "none"),
            "controls in place: " + (", ".join(c.value for c in s.existing_controls) or "none"),
            "required but not in place: " + (", ".join(missing) or "none"),
            "data types: " + (", ".join(d.value for d in s.data_types) or "none listed"),
        ),
        keywords="security controls data classification",
    )


def _timeline(spec: AssessmentInput) -> Passage:
    t = spec.timeline
    return Passage(
        "requirement",
        "timeline",
        f"Timeline: {t.target_months} months, urgency {t.urgency.value}",
        (f"timeline.target_months = {t.target_months}",),
        keywords="timeline deadline schedule months",
    )
