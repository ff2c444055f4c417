"""Build or buy per capability in the input, and the team's skills gaps, both from the team's figures.

Expertise is rated 1 (none) to 5 (expert): 2 or less is read as a gap, 3 as working knowledge, 4 or more as
strong enough to run the thing yourselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from infra_mind.agents.bom import kubernetes_line
from infra_mind.agents.products import PRODUCTS, Products
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import SecurityControl
from infra_mind.domain.outputs.cto import BuildBuyDecision
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import ModelType, Team
from infra_mind.domain.workloads import LlmApplication, LlmHosting
from infra_mind.knowledge.models import Provider

GAP = 2
WORKING = 3
STRONG = 4
SPECIALISTS_FOR_BUILD = 2
ML_TYPES = {"ml_inference", "ml_training"}
GPU_COMPONENT = "GPU"
"""Priced GPU lines name it in their component (GPU inference, GPU training, DR: GPU inference)."""


@dataclass(frozen=True)
class Sourcing:
    decision: BuildBuyDecision
    inputs: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class SkillGap:
    area: str
    field: str
    value: int
    detail: str
    actions: tuple[str, ...]
    best_practices: tuple[str, ...]


def build_vs_buy(ctx: AssessmentContext, quote: ProviderQuote | None) -> list[Sourcing]:
    spec = ctx.requirements
    team = spec.team
    native = PRODUCTS[Provider(quote.provider)] if quote else None
    types = {w.type for w in spec.workloads}
    llm = [w for w in spec.workloads if isinstance(w, LlmApplication)]
    controls = set(spec.security.required_controls)
    out = []
    if "database" in types:
        out.append(_database(team, quote))
    if types & {"web_app", "api"}:
        out.append(_container_platform(team, quote))
    if types & ML_TYPES:
        out.append(_ml_platform(team, native, model_serving(ctx, quote)))
    if llm or ModelType.LLM in spec.ai_ml.model_types:
        out.append(_llm(ctx, team, llm, native, quote))
    if controls & {SecurityControl.MONITORING, SecurityControl.AUDIT_LOGGING}:
        out.append(_observability(team, native))
    if controls & {SecurityControl.SSO, SecurityControl.MFA, SecurityControl.RBAC}:
        out.append(_identity(team, native))
    return out


def _decision(
    capability: str, decision: Literal["build", "buy"], option: str, reason: str, *inputs: tuple[str, object]
) -> Sourcing:
    return Sourcing(
        BuildBuyDecision(capability=capability, decision=decision, option=option, reason=reason), inputs
    )


def _database(team: Team, quote: ProviderQuote | None) -> Sourcing:
    service = (
        next((line.service for line in quote.lines if line.kind.startswith("managed_")), None)
        if quote
        else None
    )
    option = f"managed database ({service})" if service else "managed database service"
    if team.database_expertise >= STRONG:
        reason = (
            f"the team could run it (database expertise {team.database_expertise}/5), but managed patching, "
            f"backups and failover leave the {team.devops_engineers} DevOps engineer(s) free for the product"
        )
    else:
        reason = (
            f"database expertise {team.database_expertise}/5 and {team.devops_engineers} DevOps engineer(s): "
            "patching, backups and failover are safer as the provider's job"
        )
    return _decision(
        "database",
        "buy",
        option,
        reason,
        ("team.database_expertise", team.database_expertise),
        ("team.devops_engineers", team.devops_engineers),
    )


def _container_platform(team: Team, quote: ProviderQuote | None) -> Sourcing:
    inputs = (
        ("team.kubernetes_expertise", team.kubernetes_expertise),
        ("team.devops_engineers", team.devops_engineers),
    )
    cluster = kubernetes_line(quote)
    if cluster:
        if team.kubernetes_expertise >= WORKING:
            reason = (
                f"Kubernetes expertise {team.kubernetes_expertise}/5 covers running workloads on a managed "
                "control plane; running the control plane too would add upgrades and etcd care for "
                f"{team.devops_engineers} DevOps engineer(s) with no product gain"
            )
        else:
            reason = (
                f"the number of always-on services justifies a cluster, but Kubernetes expertise is "
                f"{team.kubernetes_expertise}/5: a managed control plane keeps the load lowest; close the "
                "skills gap before go-live"
            )
        return _decision(
            "container_platform", "buy", f"managed Kubernetes ({cluster.service})", reason, *inputs
        )
    compute = next((line.service for line in quote.lines if line.kind == "compute"), None) if quote else None
    return _decision(
        "container_platform",
        "buy",
        f"autoscaling VM groups ({compute or 'provider VMs'})",
        f"Kubernetes expertise {team.kubernetes_expertise}/5: managed autoscaling groups deliver the "
        "scaling without running a cluster",
        *inputs,
    )


def model_serving(ctx: AssessmentContext, quote: ProviderQuote | None) -> str:
    """Where the plan serves its ML models, read from the priced lines: GPU or CPU instances, or nowhere."""
    inference = [
        w.name
        for w in ctx.requirements.workloads
        if w.type == "ml_inference" or (isinstance(w, LlmApplication) and w.hosting is LlmHosting.SELF_HOSTED)
    ]
    if not inference:
        return "no model serving in the plan (its ML workloads only train)"
    if quote is None:
        return "serving on the instances the plan sizes for " + ", ".join(inference)
    lines = [line for line in quote.lines if line.workload in inference]
    gpu = sorted({line.sku for line in lines if GPU_COMPONENT in line.component})
    cpu = sorted(
        {line.sku for line in lines if GPU_COMPONENT not in line.component and line.kind == "compute"}
    )
    where = []
    if gpu:
        where.append(f"the plan's GPU instances ({', '.join(gpu)})")
    if cpu:
        where.append(f"the plan's CPU instances ({', '.join(cpu)})")
    if not where:
        return "serving on instances the plan could not price for " + ", ".join(inference)
    return "serving on " + " and ".join(where)


def _ml_platform(team: Team, native: Products | None, serving: str) -> Sourcing:
    inputs = (
        ("team.ml_engineers", team.ml_engineers),
        ("team.kubernetes_expertise", team.kubernetes_expertise),
    )
    if team.ml_engineers >= SPECIALISTS_FOR_BUILD and team.kubernetes_expertise >= WORKING:
        return _decision(
            "ml_platform",
            "build",
            f"open-source model registry; {serving}",
            f"{team.ml_engineers} ML engineers and Kubernetes expertise "
            f"{team.kubernetes_expertise}/5 can run registry and serving themselves, avoiding platform "
            "fees",
            *inputs,
        )
    platform = native.ml_platform if native else "the provider's managed ML platform"
    return _decision(
        "ml_platform",
        "buy",
        f"{platform} for registry, pipelines and model monitoring; {serving}",
        f"{team.ml_engineers} ML engineer(s) and Kubernetes expertise "
        f"{team.kubernetes_expertise}/5: too thin to operate an ML platform as well as the models "
        "(its platform fees are not in catalog v1, so they are not priced)",
        *inputs,
    )


def _llm(
    ctx: AssessmentContext,
    team: Team,
    llm: list[LlmApplication],
    native: Products | None,
    quote: ProviderQuote | None,
) -> Sourcing:
    inputs = (("team.ml_engineers", team.ml_engineers),)
    self_hosted = [w.name for w in llm if w.hosting is LlmHosting.SELF_HOSTED]
    if self_hosted:
        staffing = (
            f"{team.ml_engineers} ML engineer(s) run it"
            if team.ml_engineers
            else "no ML engineer on the team yet: hire before go-live"
        )
        gpus = {d.name: d.gpu_count for d in ctx.profile.demands if d.name in self_hosted}
        sized = ", ".join(f"{name} ({gpus.get(name, 0)} GPU(s) at peak)" for name in self_hosted)
        cost = (
            sum(
                line.monthly_usd
                for line in quote.lines
                if line.workload in self_hosted and GPU_COMPONENT in line.component
            )
            if quote
            else 0
        )
        priced = (
            f"; their GPUs cost ${cost:,.0f}/month at list price on {quote.provider} — compare with a "
            "managed API's token price for the same volume before committing (token prices are not in the "
            "catalog)"
            if quote and cost
            else ""
        )
        return _decision(
            "llm",
            "build",
            f"self-hosted model for {sized}, sized from peak tokens/s",
            f"the input asks for self-hosting; {staffing}{priced}",
            *inputs,
            ("workloads.hosting", "self_hosted"),
        )
    api = native.llm_api if native else "a managed LLM API"
    return _decision(
        "llm",
        "buy",
        f"managed LLM API ({api})",
        f"{team.ml_engineers} ML engineer(s): paying per token avoids operating models on GPUs; "
        "revisit self-hosting when token spend passes the cost of dedicated GPUs",
        *inputs,
    )


def _observability(team: Team, native: Products | None) -> Sourcing:
    inputs = (
        ("team.devops_engineers", team.devops_engineers),
        ("team.kubernetes_expertise", team.kubernetes_expertise),
    )
    if team.devops_engineers >= SPECIALISTS_FOR_BUILD and team.kubernetes_expertise >= STRONG:
        return _decision(
            "observability",
            "build",
            "open-source stack (Prometheus, Grafana, OpenTelemetry)",
            f"{team.devops_engineers} DevOps engineers with Kubernetes expertise "
            f"{team.kubernetes_expertise}/5 can run it and keep the telemetry portable",
            *inputs,
        )
    service = native.observability if native else "the provider's monitoring service"
    return _decision(
        "observability",
        "buy",
        f"{service} with OpenTelemetry instrumentation",
        f"{team.devops_engineers} DevOps engineer(s): a native service needs no monitoring "
        "infrastructure of its own; OpenTelemetry keeps the instrumentation portable",
        *inputs,
    )


def _identity(team: Team, native: Products | None) -> Sourcing:
    service = native.identity if native else "the provider's identity service"
    return _decision(
        "identity",
        "buy",
        f"{service} federated with the workforce directory, with SSO and MFA",
        f"identity is security-critical and does not differentiate the product; a {team.size}-person "
        "team should not operate its own",
        ("team.size", team.size),
    )


def skill_gaps(ctx: AssessmentContext, quote: ProviderQuote | None) -> list[SkillGap]:
    spec = ctx.requirements
    team = spec.team
    types = {w.type for w in spec.workloads}
    self_hosted_llm = any(
        isinstance(w, LlmApplication) and w.hosting is LlmHosting.SELF_HOSTED for w in spec.workloads
    )
    gaps = []
    if kubernetes_line(quote) and team.kubernetes_expertise <= GAP:
        gaps.append(
            SkillGap(
                "kubernetes",
                "team.kubernetes_expertise",
                team.kubernetes_expertise,
                "the plan runs on managed Kubernetes",
                (
                    "Train the DevOps engineers on the managed Kubernetes service before the migrate phase",
                    "Adopt a supported baseline (managed add-ons, GitOps) instead of hand-built clusters",
                ),
                ("OPS05-BP03", "COST05-BP05"),
            )
        )
    if team.cloud_expertise <= GAP:
        gaps.append(
            SkillGap(
                "cloud",
                "team.cloud_expertise",
                team.cloud_expertise,
                "the landing zone, IAM and networking are built in the foundation phase",
                (
                    "Bring in a partner for the landing zone and pair engineers with them",
                    "Certify at least one engineer on the chosen provider",
                ),
                ("SEC01-BP01", "OPS05-BP03"),
            )
        )
    if "database" in types and team.database_expertise <= GAP:
        gaps.append(
            SkillGap(
                "database",
                "team.database_expertise",
                team.database_expertise,
                "the plan runs managed databases that still need schema, index and restore skills",
                ("Keep the database managed and rehearse restores", "Hire or contract a DBA for tuning"),
                ("REL09-BP04", "COST05-BP05"),
            )
        )
    if (types & ML_TYPES or self_hosted_llm) and team.ml_engineers == 0:
        gaps.append(
            SkillGap(
                "ml",
                "team.ml_engineers",
                team.ml_engineers,
                "the plan serves models",
                (
                    "Hire an ML engineer before the models go to production",
                    "Prefer managed ML services until then",
                ),
                ("COST05-BP05",),
            )
        )
    if team.devops_engineers == 0:
        gaps.append(
            SkillGap(
                "devops",
                "team.devops_engineers",
                team.devops_engineers,
                "someone must own the pipeline, the infrastructure code and on-call",
                ("Name an owner for the platform and on-call", "Hire a DevOps engineer"),
                ("OPS05-BP04", "OPS05-BP10"),
            )
        )
    return gaps
