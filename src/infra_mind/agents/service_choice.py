"""Which platform and products serve each workload: one decision, read by the cloud engineer's service
choices and by the CTO's roadmap and goal fit, so the two always name the same services."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.bom_shared import uses_kubernetes
from infra_mind.agents.products import Products
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.domain.workloads import (
    Api,
    Database,
    DatabaseEngine,
    LlmApplication,
    LlmHosting,
    MlInference,
    MlTraining,
    WebApp,
    Workload,
)

_ENGINE_NAMES = {
    DatabaseEngine.POSTGRESQL: "PostgreSQL",
    DatabaseEngine.MYSQL: "MySQL",
    DatabaseEngine.DOCUMENT: "document store",
    DatabaseEngine.KEY_VALUE: "key-value store",
}


@dataclass(frozen=True)
class ServicePlan:
    pattern: str
    services: dict[str, str]
    """Role → product, e.g. {"compute": "Amazon EKS", "load_balancer": ...}."""
    reason: str
    platform: str
    """Where the workload lands, in one phrase (the roadmap's "Build X onto <platform>")."""


def service_plan(w: Workload, products: Products, spec: AssessmentInput) -> ServicePlan:
    """The platform and products that serve `w` on the provider whose product table is `products`."""
    on_cluster = uses_kubernetes(spec)
    cluster_or_vms = products.kubernetes if on_cluster else products.vm_group
    match w:
        case WebApp() | Api():
            services = {"compute": cluster_or_vms, "load_balancer": products.load_balancer}
            if isinstance(w, WebApp):
                services["cdn"] = products.cdn
            return ServicePlan(
                pattern="containers on managed Kubernetes" if on_cluster else "autoscaling VMs",
                services=services,
                reason="the team has Kubernetes experience to run containers on a managed cluster"
                if on_cluster
                else "an autoscaling group of VMs keeps operations simple for a team new to Kubernetes",
                platform=cluster_or_vms,
            )
        case Database():
            return ServicePlan(
                pattern="managed database",
                services={"database": products.database, "backups": products.object_storage},
                reason="patching, backups and failover are the provider's job; "
                f"team database expertise is {spec.team.database_expertise}/5",
                platform=f"{products.database} ({_ENGINE_NAMES[w.engine]}), "
                f"backups in {products.object_storage}",
            )
        case MlInference() if not w.gpu_required:
            return ServicePlan(
                pattern="CPU model serving on " + ("managed Kubernetes" if on_cluster else "autoscaling VMs"),
                services={"compute": cluster_or_vms, "artifacts": products.object_storage},
                reason="the model is served on CPU (gpu_required: false): general-purpose instances "
                "sized to the request rate, no GPU",
                platform=f"{cluster_or_vms} (CPU serving), artifacts in {products.object_storage}",
            )
        case MlInference() | MlTraining():
            return ServicePlan(
                pattern="GPU instances",
                services={"compute": products.gpu, "artifacts": products.object_storage},
                reason="GPU instances sized to the model's memory, priced per hour",
                platform=f"{products.gpu}, artifacts in {products.object_storage}",
            )
        case LlmApplication() if w.hosting is LlmHosting.SELF_HOSTED:
            return ServicePlan(
                pattern="self-hosted model on GPU instances",
                services={"compute": products.gpu, "weights": products.object_storage},
                reason="the input asks to self-host; GPU memory sized to the model's weights and cache",
                platform=f"{products.gpu} (self-hosted model), weights in {products.object_storage}",
            )
        case LlmApplication():
            return ServicePlan(
                pattern="managed LLM API",
                services={"model": "managed LLM API", "compute": products.functions},
                reason="pay per token until volume justifies dedicated GPUs",
                platform=f"a managed LLM API ({products.llm_api} or another provider's), "
                f"called from {products.functions}",
            )
    return ServicePlan(
        pattern="VM fleet",
        services={"compute": products.compute, "storage": products.object_storage},
        reason="right-sized instances from the catalog for the derived vCPU demand",
        platform=f"{products.compute}, data in {products.object_storage}",
    )
