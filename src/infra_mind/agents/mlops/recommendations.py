"""The mlops recommendations: platform, registry, monitoring, and the plan's GPU choices this agent shares.

`gpu:<workload>` is the cloud engineer's key for the GPU instance of a workload: proposed here only when the
review agrees with the plan's choice, so synthesis merges the two and raises confidence.
"""

from __future__ import annotations

from infra_mind.agents.common_recommendations import gpu_recommendation
from infra_mind.agents.evidence import Recommender, input_evidence, line_evidence, record_evidence
from infra_mind.agents.mlops.analysis import Analysis, GpuReview
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.domain.outputs.mlops import MlopsProduct, PlatformChoice
from infra_mind.domain.requirements import AiMaturity
from infra_mind.knowledge.catalog import Knowledge

AGENT = "mlops"
PRODUCTION = frozenset({AiMaturity.PRODUCTION, AiMaturity.SCALED})


def recommendations(a: Analysis, knowledge: Knowledge) -> list[Recommendation]:
    if a.decision is None or a.quote is None:
        return []
    rec = Recommender(knowledge, AGENT)
    out = [_platform(rec, a, a.decision.choice)]
    registry = _needed(a.products, "registry")
    if registry:
        out.append(_registry(rec, a, registry))
    monitoring = _needed(a.products, "monitoring")
    if monitoring:
        out.append(_monitoring(rec, a, monitoring))
    out += [_gpu(rec, a, r) for r in a.reviews if r.agrees]
    return out


def _needed(products: list[MlopsProduct], capability: str) -> MlopsProduct | None:
    return next((p for p in products if p.capability == capability and p.needed), None)


def _platform(rec: Recommender, a: Analysis, choice: PlatformChoice) -> Recommendation:
    spec = a.ctx.requirements
    team = spec.team
    chosen = next(o for o in choice.options if o.option == choice.chosen)
    others = [o for o in choice.options if o is not chosen]
    managed = choice.chosen == "managed"
    pipelines = _needed(a.products, "pipelines")
    serving = _needed(a.products, "serving")
    region = a.quote.region if a.quote else "the primary region"
    actions = [f"Set up {chosen.name} in {region} with infrastructure as code"]
    if pipelines:
        actions.append(
            f"Move training into {pipelines.product}: every run versioned, repeatable and reviewed"
        )
    if serving:
        actions.append(f"Serve the models through {serving.product}, with autoscaling on the sized replicas")
    if chosen.unpriced:
        actions.append("Price the platform's unpriced rates before committing the ML budget")
    cost = (
        f"adds {'at least ' if chosen.unpriced else ''}${chosen.monthly_usd:,.2f}/month ({chosen.cost_basis})"
        if chosen.monthly_usd is not None
        else "adds a rate over the instance prices that is not priced: " + "; ".join(chosen.unpriced[:2])
    )
    alternative = "; ".join(
        f"{o.name}: "
        + (f"${o.monthly_usd:,.2f}/month" if o.monthly_usd is not None else "not priced")
        + ("" if o.feasible else ", beyond the team's thresholds")
        for o in others
    )
    return rec.make(
        "mlops:platform",
        f"Run the ML lifecycle on {chosen.name}",
        category="ai_ml",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH if spec.ai_ml.maturity in PRODUCTION else Priority.MEDIUM,
        impact=4,
        effort=2 if managed else 4,
        confidence=0.6 if chosen.unpriced or chosen.monthly_usd is None else 0.75,
        rationale="; ".join(choice.reasons) + f". {chosen.name} {cost}. Alternative — {alternative}.",
        actions=actions,
        evidence=[
            input_evidence("team.ml_engineers", team.ml_engineers),
            input_evidence("team.kubernetes_expertise", team.kubernetes_expertise),
            input_evidence("team.devops_engineers", team.devops_engineers),
            input_evidence("ai_ml.maturity", spec.ai_ml.maturity.value),
            *(a.decision.evidence if a.decision else []),
        ],
        best_practices=("COST05-BP05", "OPS05-BP04", "SUS05-BP03")
        if managed
        else ("COST05-BP05", "OPS05-BP04"),
        monthly_cost_delta=chosen.monthly_usd,
        provider=a.quote.provider if a.quote else None,
        services=[p.product for p in a.products if p.needed],
        regions=[a.quote.region] if a.quote else [],
    )


def _registry(rec: Recommender, a: Analysis, product: MlopsProduct) -> Recommendation:
    return rec.make(
        "mlops:registry",
        f"Register every model version in {product.product}",
        category="ai_ml",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.MEDIUM,
        impact=3,
        effort=2,
        confidence=0.8,
        rationale=f"{product.why}: a deployment then names a registered version, and a rollback is a version "
        f"change ({product.detail})",
        actions=[
            "Register each trained model with its data snapshot, code commit and evaluation metrics",
            "Deploy only approved versions; keep the previous version ready for rollback",
        ],
        evidence=[_product_evidence(product)],
        best_practices=("OPS05-BP01", "OPS06-BP03"),
        provider=a.quote.provider if a.quote else None,
        services=[product.product],
    )


def _monitoring(rec: Recommender, a: Analysis, product: MlopsProduct) -> Recommendation:
    served = ", ".join(s.workload for s in a.serving)
    drift = "drift and data-quality" if product.drift_detection else "quality"
    return rec.make(
        "mlops:monitoring",
        f"Monitor {drift} of {served} with {product.product}",
        category="ai_ml",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH if a.ctx.requirements.ai_ml.maturity in PRODUCTION else Priority.MEDIUM,
        impact=4,
        effort=2,
        confidence=0.75,
        rationale=f"{product.why}. A model's accuracy falls silently when its inputs drift from the training "
        f"data; {product.product}: {product.detail}",
        actions=[
            "Capture a sample of requests and predictions from every endpoint",
            "Baseline the monitors on the training data and alert when drift crosses the threshold",
            "Route drift alerts to the model's owner and trigger a retraining run",
        ],
        evidence=[_product_evidence(product)],
        best_practices=("OPS04-BP02", "OPS08-BP04", "REL06-BP03"),
        provider=a.quote.provider if a.quote else None,
        services=[product.product],
    )


def _gpu(rec: Recommender, a: Analysis, review: GpuReview) -> Recommendation:
    first = review.lines[0]
    return gpu_recommendation(
        rec,
        review.workload,
        first,
        provider=first.provider,
        region=first.region,
        rationale=review.reason,
        load_test="Load-test the model on one instance to confirm its throughput and latency",
        evidence=[line_evidence(line) for line in review.lines[:3]],
        monthly_cost_in_plan=sum(line.monthly_usd for line in review.lines),
    )


def _product_evidence(product: MlopsProduct) -> Evidence:
    return record_evidence(
        product,
        EvidenceKind.CATALOG_RECORD,
        f"product:{product.platform}:{product.capability}",
        product.detail,
    )
