"""Architecture patterns against the norm: Kubernetes in production, multi-cloud, serverless."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from infra_mind.agents.bom_shared import SERVED
from infra_mind.agents.evidence import input_evidence, quote_evidence
from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.products import PRODUCTS
from infra_mind.agents.research.compare import (
    Compared,
    Segment,
    comparison,
    norm_evidence,
    practice_standing,
)
from infra_mind.agents.service_choice import service_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence
from infra_mind.domain.outputs.research import Basis, UncomparedMetric
from infra_mind.domain.requirements import Architecture, CurrentProvider
from infra_mind.knowledge.benchmarks import BenchmarkCatalog, Metric
from infra_mind.knowledge.models import Provider

_KUBERNETES = re.compile(r"\b(kubernetes|k8s|eks|aks|gke|openshift)\b", re.IGNORECASE)
_SERVERLESS = re.compile(r"\b(lambda|functions|cloud run|fargate|serverless)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Practice:
    """Whether the company follows a practice on one basis, in words, with the evidence; or why unknown."""

    basis: Basis
    follows: bool | None
    company: str
    evidence: list[Evidence]


Observer = Callable[[AssessmentContext, PricedPlan], list[Practice]]


def compare_architecture(
    ctx: AssessmentContext, catalog: BenchmarkCatalog, plan: PricedPlan
) -> tuple[list[Compared], list[UncomparedMetric]]:
    segment = Segment.of(ctx.requirements)
    observers: tuple[tuple[Metric, str, Observer], ...] = (
        (Metric.KUBERNETES_PRODUCTION_SHARE, "Kubernetes in production", _kubernetes),
        (Metric.MULTI_CLOUD_SHARE, "more than one cloud provider", _multi_cloud),
        (Metric.SERVERLESS_SHARE, "serverless compute", _serverless),
    )
    compared: list[Compared] = []
    gaps: list[UncomparedMetric] = []
    for metric, label, observe in observers:
        norm = segment.norm(catalog, metric)
        for practice in observe(ctx, plan):
            if practice.follows is None or norm is None:
                reason = practice.company if norm else f"no {label} norm covers a {segment.words()}"
                gaps.append(UncomparedMetric(metric=metric.value, basis=practice.basis, reason=reason))
                continue
            standing = practice_standing(norm, practice.follows)
            does = "do the same" if practice.follows else "do not"
            compared.append(
                Compared(
                    comparison(
                        norm,
                        metric=metric.value,
                        area="architecture",
                        basis=practice.basis,
                        label=label + (" (today)" if practice.basis == "current" else " (plan)"),
                        value=None,
                        unit=norm.unit,
                        company=practice.company,
                        standing=standing.standing,
                        outlier=standing.outlier,
                        detail=f"{practice.company}; {standing.peers} of {norm.segment} {does} "
                        f"({norm.norm_text()}): the company is with the {standing.standing}",
                    ),
                    [*practice.evidence, norm_evidence(norm)],
                )
            )
    return compared, gaps


def _services_text(services: list[str]) -> str:
    return ", ".join(services)


def _kubernetes(ctx: AssessmentContext, plan: PricedPlan) -> list[Practice]:
    spec = ctx.requirements
    services = spec.current_infrastructure.services
    found = [s for s in services if _KUBERNETES.search(s)]
    current = (
        Practice(
            "current",
            bool(found),
            f"today's services include {_services_text(found)}"
            if found
            else f"today's services ({_services_text(services)}) include no Kubernetes service",
            [input_evidence("current_infrastructure.services", _services_text(services))],
        )
        if services
        else Practice("current", None, "current_infrastructure.services lists nothing to compare", [])
    )
    chosen = plan.chosen
    if chosen is None:
        return [current, Practice("planned", None, "no provider could be priced, so there is no plan", [])]
    cluster = next((line for line in chosen.lines if line.kind == "kubernetes_control_plane"), None)
    if cluster is None and not any(w.type in SERVED for w in spec.workloads):
        planned = Practice(
            "planned", None, "the plan has no web or API tier, so no application platform to compare", []
        )
    elif cluster:
        planned = Practice(
            "planned", True, f"the plan runs containers on {cluster.service}", [quote_evidence(chosen)]
        )
    else:
        expertise = spec.team.kubernetes_expertise
        planned = Practice(
            "planned",
            False,
            "the plan runs the web and API tier on autoscaling VMs, not Kubernetes "
            f"(team.kubernetes_expertise {expertise}/5: the design picks managed Kubernetes from 3/5, or "
            "for 3+ microservices)",
            [quote_evidence(chosen), input_evidence("team.kubernetes_expertise", expertise)],
        )
    return [current, planned]


def _multi_cloud(ctx: AssessmentContext, plan: PricedPlan) -> list[Practice]:
    providers = ctx.requirements.current_infrastructure.providers
    clouds = [p.value for p in providers if p is not CurrentProvider.ON_PREMISES]
    evidence = [input_evidence("current_infrastructure.providers", ", ".join(p.value for p in providers))]
    if not providers:
        current = Practice("current", None, "current_infrastructure.providers lists nothing to compare", [])
    elif len(clouds) > 1:
        current = Practice("current", True, f"today the company runs on {', '.join(clouds)}", evidence)
    else:
        where = f"one cloud ({clouds[0]})" if clouds else "no public cloud"
        hybrid = " plus its own data centre" if CurrentProvider.ON_PREMISES in providers else ""
        current = Practice("current", False, f"today the company runs on {where}{hybrid}", evidence)
    chosen = plan.chosen
    if chosen is None:
        return [current, Practice("planned", None, "no provider could be priced, so there is no plan", [])]
    dr = f", with disaster recovery in {chosen.dr.region}" if chosen.dr and chosen.dr.region else ""
    planned = Practice(
        "planned", False, f"the plan runs on one provider ({chosen.provider}){dr}", [quote_evidence(chosen)]
    )
    return [current, planned]


def _serverless(ctx: AssessmentContext, plan: PricedPlan) -> list[Practice]:
    spec = ctx.requirements
    infra = spec.current_infrastructure
    found = [s for s in infra.services if _SERVERLESS.search(s)]
    serverless_now = infra.architecture is Architecture.SERVERLESS or bool(found)
    if not infra.services and infra.architecture is Architecture.NONE:
        current = Practice(
            "current", None, "neither current services nor a current architecture are given", []
        )
    else:
        what = f"today's architecture is {infra.architecture.value}" + (
            f" and its services include {_services_text(found)}" if found else ""
        )
        current = Practice(
            "current",
            serverless_now,
            what + ("" if serverless_now else ", with no serverless service listed"),
            [
                input_evidence("current_infrastructure.architecture", infra.architecture.value),
                input_evidence("current_infrastructure.services", _services_text(infra.services)),
            ],
        )
    if plan.provider is None:
        return [current, Practice("planned", None, "no provider could be priced, so there is no plan", [])]
    products = PRODUCTS[Provider(plan.provider)]
    callers = [
        (i, w)
        for i, w in enumerate(spec.workloads)
        if products.functions in service_plan(w, products, spec).services.values()
    ]
    planned = Practice(
        "planned",
        bool(callers),
        f"the plan calls {products.functions} from {', '.join(w.name for _, w in callers)}"
        if callers
        else "the plan uses no serverless compute",
        [input_evidence(f"workloads[{i}].type", w.type) for i, w in callers],
    )
    return [current, planned]
