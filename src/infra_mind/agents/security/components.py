"""The parts of the proposed design a threat model looks at, named with the chosen provider's products."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra_mind.agents.plan import ProviderPlan
from infra_mind.agents.products import PRODUCTS, Products
from infra_mind.agents.service_choice import service_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.workloads import (
    Criticality,
    LlmApplication,
    LlmHosting,
    MlInference,
    MlTraining,
    Workload,
)
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.threats import ComponentKind

NAMES = {
    ComponentKind.EDGE: "Edge and load balancing",
    ComponentKind.KUBERNETES: "Application tier on managed Kubernetes",
    ComponentKind.VMS: "Application tier on virtual machines",
    ComponentKind.DATABASE: "Managed databases",
    ComponentKind.OBJECT_STORAGE: "Object storage",
    ComponentKind.BACKUPS: "Backups",
    ComponentKind.ML_SERVING: "ML model serving",
    ComponentKind.ML_TRAINING: "ML training",
    ComponentKind.LLM_API: "LLM features on a managed model API",
    ComponentKind.LLM_SELF_HOSTED: "Self-hosted LLM on GPUs",
    ComponentKind.CICD_IDENTITY: "CI/CD and identity",
    ComponentKind.DR_REGION: "Recovery region",
}
AI_KINDS = frozenset(
    {
        ComponentKind.ML_SERVING,
        ComponentKind.ML_TRAINING,
        ComponentKind.LLM_API,
        ComponentKind.LLM_SELF_HOSTED,
    }
)
_STORAGE_ROLES = frozenset({"artifacts", "weights"})


@dataclass
class DesignComponent:
    kind: ComponentKind
    services: list[str] = field(default_factory=list)
    workloads: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    mission_critical: list[str] = field(default_factory=list)
    """Workloads on the component whose criticality is mission critical."""
    detail: str = ""

    @property
    def name(self) -> str:
        return NAMES[self.kind] + (f" {self.detail}" if self.detail else "")

    def add(self, service: str, workload: Workload | None = None) -> None:
        if service not in self.services:
            self.services.append(service)
        if workload is not None and workload.name not in self.workloads:
            self.workloads.append(workload.name)
            if workload.criticality is Criticality.MISSION_CRITICAL:
                self.mission_critical.append(workload.name)


def design_components(ctx: AssessmentContext, option: ProviderPlan) -> list[DesignComponent]:
    """Every component of the chosen provider's design, in ComponentKind order."""
    spec = ctx.requirements
    products = PRODUCTS[Provider(option.provider)]
    primary = option.primary.region
    found: dict[ComponentKind, DesignComponent] = {}

    def component(kind: ComponentKind) -> DesignComponent:
        return found.setdefault(kind, DesignComponent(kind, regions=[primary]))

    for w in spec.workloads:
        plan = service_plan(w, products, spec)
        home = _workload_kind(w, plan.services.get("compute", ""), products)
        for role, product in plan.services.items():
            kind = _role_kind(role, w, home)
            if kind is not None:
                component(kind).add(products.llm_api if role == "model" else product, w)
        if isinstance(w, MlInference) and home is not ComponentKind.ML_SERVING:
            component(ComponentKind.ML_SERVING).add(plan.services["compute"], w)
    if ComponentKind.EDGE in found:
        found[ComponentKind.EDGE].add(products.waf)
        found[ComponentKind.EDGE].add(products.ddos)
    component(ComponentKind.CICD_IDENTITY).add(products.identity)
    standby = option.standby
    if option.recovery.secondary and standby is not None:
        dr = DesignComponent(
            ComponentKind.DR_REGION,
            regions=[standby.region],
            detail=f"{standby.region} ({option.recovery.strategy.strategy.value})",
        )
        by_name = {w.name: w for w in spec.workloads}
        for line in standby.lines:
            dr.add(line.service, by_name.get(line.workload or ""))
        found[ComponentKind.DR_REGION] = dr
    return [found[kind] for kind in ComponentKind if kind in found]


def _workload_kind(w: Workload, compute: str, products: Products) -> ComponentKind:
    """Where the workload's compute runs."""
    match w:
        case MlTraining():
            return ComponentKind.ML_TRAINING
        case MlInference() if compute == products.gpu:
            return ComponentKind.ML_SERVING
        case LlmApplication() if w.hosting is LlmHosting.SELF_HOSTED:
            return ComponentKind.LLM_SELF_HOSTED
        case LlmApplication():
            return ComponentKind.LLM_API
    return ComponentKind.KUBERNETES if compute == products.kubernetes else ComponentKind.VMS


def _role_kind(role: str, w: Workload, home: ComponentKind) -> ComponentKind | None:
    if role in {"load_balancer", "cdn"}:
        return ComponentKind.EDGE
    if role in {"compute", "model"}:
        return home
    if role == "database":
        return ComponentKind.DATABASE
    if role == "backups":
        return ComponentKind.BACKUPS
    if role in _STORAGE_ROLES or (role == "storage" and w.data_size_gb > 0):
        return ComponentKind.OBJECT_STORAGE
    return None
