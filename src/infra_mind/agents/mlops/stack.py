"""The products behind each MLOps capability on the chosen platform, and which of them the plan needs.

A managed product that is closed to new customers, or that does not cover the company's model types, is
replaced by the open-source platform's product for the same capability.
"""

from __future__ import annotations

from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.mlops import MlopsProduct
from infra_mind.domain.requirements import ModelType
from infra_mind.knowledge.ml_platforms import Capability, MlPlatformCatalog, PlatformProduct

TABULAR = frozenset(
    {ModelType.CLASSIFICATION, ModelType.RECOMMENDATION, ModelType.FORECASTING, ModelType.ANOMALY_DETECTION}
)


def stack(
    ctx: AssessmentContext,
    catalog: MlPlatformCatalog,
    platform: str,
    *,
    serving: list[str],
    training: list[str],
    retraining: bool,
) -> list[MlopsProduct]:
    needs = _needs(ctx, serving, training, retraining)
    fallback = catalog.open_source()
    out = []
    for capability in Capability:
        product = catalog.product(platform, capability)
        if product is None:
            continue
        needed, why = needs[capability]
        problem = _unusable(ctx, platform, product)
        if problem and fallback is not None and (substitute := catalog.product(fallback.id, capability)):
            out.append(_product(product, needed=False, why=problem))
            out.append(
                _product(substitute, needed=needed, why=f"{why}; in place of {product.product}: {problem}")
            )
        else:
            out.append(_product(product, needed=needed, why=why))
    return out


def _needs(
    ctx: AssessmentContext, serving: list[str], training: list[str], retraining: bool
) -> dict[Capability, tuple[bool, str]]:
    types = set(ctx.requirements.ai_ml.model_types)
    frequency = ctx.requirements.ai_ml.training_frequency.value
    if training:
        runs = f"repeatable training runs of {', '.join(training)}"
    elif retraining:
        runs = f"repeatable retraining runs at ai_ml.training_frequency '{frequency}'"
    else:
        runs = "no training in the plan"
    tabular = sorted(t.value for t in types & TABULAR)
    models = serving + training
    return {
        Capability.REGISTRY: (
            bool(models),
            f"one versioned record of every model that is trained or served ({', '.join(models)})"
            if models
            else "no model is trained or served by the plan yet",
        ),
        Capability.FEATURE_STORE: (
            bool(tabular),
            f"{', '.join(tabular)} models read the same features in training and serving"
            if tabular
            else "no tabular model types in ai_ml.model_types: no shared features to keep consistent",
        ),
        Capability.MONITORING: (
            bool(serving),
            f"drift and data-quality checks on the inputs and outputs of {', '.join(serving)}"
            if serving
            else "no model is served by the plan",
        ),
        Capability.PIPELINES: (bool(training) or retraining, runs),
        Capability.SERVING: (
            bool(serving),
            f"endpoints for {', '.join(serving)}" if serving else "no model is served by the plan",
        ),
    }


def _unusable(ctx: AssessmentContext, platform: str, product: PlatformProduct) -> str | None:
    if not product.open_to_new_customers:
        services = " ".join(ctx.requirements.current_infrastructure.services).lower()
        if platform.replace("_", "") not in services.replace(" ", ""):
            return f"{product.product} is no longer open to new customers"
    types = set(ctx.requirements.ai_ml.model_types)
    if product.tabular_only and types and not types & TABULAR:
        kinds = ", ".join(sorted(t.value for t in types))
        return f"{product.product} covers tabular models, not the {kinds} models in ai_ml.model_types"
    return None


def _product(product: PlatformProduct, *, needed: bool, why: str) -> MlopsProduct:
    return MlopsProduct(
        capability=product.capability.value,
        platform=product.platform,
        product=product.product,
        detail=product.detail,
        drift_detection=product.drift_detection,
        available=product.open_to_new_customers,
        needed=needed,
        why=why,
        source=product.source,
        as_of=product.as_of,
    )
