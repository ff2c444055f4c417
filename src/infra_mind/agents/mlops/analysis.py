"""The mlops analysis: scope, sizing, platform decision, product stack and a review of the plan's GPUs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom_shared import LLM_TOKEN_SKU
from infra_mind.agents.mlops.platform import Decision, PlatformAdvisor
from infra_mind.agents.mlops.sizing import ML_TYPES, SizingReader, Training, is_served
from infra_mind.agents.mlops.stack import stack
from infra_mind.agents.plan import PricedPlan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.mlops import MlopsOutput, MlopsProduct, ServingSizing
from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote
from infra_mind.domain.requirements import AiMaturity
from infra_mind.domain.workloads import MlTraining
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.ml_platforms import MlPlatformCatalog
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider


def applies(ctx: AssessmentContext) -> bool:
    """Anything to plan: an ML or LLM workload, or an AI maturity beyond none."""
    spec = ctx.requirements
    return any(w.type in ML_TYPES for w in spec.workloads) or spec.ai_ml.maturity is not AiMaturity.NONE


@dataclass(frozen=True)
class GpuReview:
    workload: str
    agrees: bool
    reason: str
    lines: list[BomLine]
    alternative: str | None = None


@dataclass(frozen=True)
class Analysis:
    ctx: AssessmentContext
    plan: PricedPlan
    quote: ProviderQuote | None
    training: list[Training]
    serving: list[ServingSizing]
    decision: Decision | None
    products: list[MlopsProduct]
    reviews: list[GpuReview]
    ml_lines: list[BomLine]
    unpriced_ml: list[MissingPrice]
    unsized_training: str | None

    @property
    def ml_monthly_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.ml_lines), 2)

    def output(self, catalog: MlPlatformCatalog) -> MlopsOutput:
        return MlopsOutput(
            applicable=True,
            provider=self.quote.provider if self.quote else None,
            region=self.quote.region if self.quote else None,
            platform=self.decision.choice if self.decision else None,
            training=[t.sizing for t in self.training],
            serving=self.serving,
            products=self.products,
            ml_monthly_usd=self.ml_monthly_usd,
            unpriced_ml=[f"{m.component} ({m.workload}): {m.reason}" for m in self.unpriced_ml],
            assumptions=[r.assumption() for r in catalog.rules()],
        )


def analyse(
    ctx: AssessmentContext, knowledge: Knowledge, catalog: MlPlatformCatalog, plan: PricedPlan
) -> Analysis:
    quote = plan.chosen
    reader = SizingReader(ctx, knowledge, catalog)
    training = reader.training(quote)
    serving = reader.serving(quote)
    names = {w.name for w in ctx.requirements.workloads if w.type in ML_TYPES}
    ml_lines = (
        [line for line in quote.lines if line.workload in names and line.kind == "compute"] if quote else []
    )
    unpriced = [m for m in quote.missing if m.workload in names and m.sku != LLM_TOKEN_SKU] if quote else []
    decision = PlatformAdvisor(ctx, knowledge, catalog).decide(quote, ml_lines) if quote else None
    products = (
        stack(
            ctx,
            catalog,
            decision.choice.platform,
            serving=[w.name for w in ctx.requirements.workloads if is_served(w)],
            training=[t.sizing.workload for t in training if t.sizing.in_plan],
            retraining=any(not t.sizing.in_plan for t in training),
        )
        if decision
        else []
    )
    reviews = _reviews(ctx, knowledge, quote, training, serving) if quote else []
    return Analysis(
        ctx,
        plan,
        quote,
        training,
        serving,
        decision,
        products,
        reviews,
        ml_lines,
        unpriced,
        reader.unsized_training(),
    )


def _reviews(
    ctx: AssessmentContext,
    knowledge: Knowledge,
    quote: ProviderQuote,
    training: list[Training],
    serving: list[ServingSizing],
) -> list[GpuReview]:
    """Whether the plan's GPU instance for each workload is one this agent would choose too."""
    reviews = []
    for s in serving:
        lines = [
            line for line in quote.primary_lines if line.workload == s.workload and line.kind == "compute"
        ]
        if s.hardware != "gpu" or not lines:
            continue
        if s.latency_within_rule is False:
            reviews.append(GpuReview(s.workload, False, s.latency_note, lines))
        else:
            reviews.append(
                GpuReview(
                    s.workload,
                    True,
                    f"{s.replicas} replica(s) of {s.gpu_memory_gib:g} GiB fit {s.instance_count} × "
                    f"{s.instance_sku}; {s.latency_note}",
                    lines,
                )
            )
    workloads = {w.name: w for w in ctx.requirements.workloads if isinstance(w, MlTraining)}
    for t in training:
        w = workloads.get(t.sizing.workload)
        if w is None or t.line is None or t.instance is None:
            continue
        lines = [line for line in quote.primary_lines if line.workload == w.name and line.kind == "compute"]
        reviews.append(_training_review(knowledge, quote, w, t, t.instance, t.line, lines))
    return reviews


def _training_review(
    knowledge: Knowledge,
    quote: ProviderQuote,
    w: MlTraining,
    t: Training,
    instance: InstanceType,
    line: BomLine,
    lines: list[BomLine],
) -> GpuReview:
    state = t.demand.gpu_memory_gib
    sharded = state > instance.gpu_memory_gib and t.sizing.instances_per_run > 1
    if not sharded:
        where = (
            "one instance holds the run"
            if t.sizing.instances_per_run == 1
            else "each GPU holds the whole state"
        )
        return GpuReview(
            w.name, True, f"{t.sizing.gpus_per_run} GPU(s) per run on {instance.sku}: {where}", lines
        )
    gpus = max(t.sizing.gpus_per_run, math.ceil(state / instance.gpu_memory_gib))
    provider = Provider(quote.provider)
    hosts = [
        (price.usd_per_hour, i.sku, i)
        for i in knowledge.instances(provider, InstanceCategory.GPU)
        if i.gpu_count >= gpus
        and i.gpu_count * i.gpu_memory_gib >= state
        and (price := knowledge.instance_price(provider, i.sku, quote.region)) is not None
    ]
    reason = (
        f"the {state:g} GiB training state is sharded across {t.sizing.instances_per_run} separate "
        f"{instance.sku} instances ({instance.gpu_count} × {instance.gpu_model} each): every step then "
        "exchanges shards over the network between hosts, which the plan's own line says needs a fast "
        "interconnect"
    )
    if not hosts:
        return GpuReview(
            w.name, False, reason + f"; no catalogued instance in {quote.region} holds {gpus} GPUs", lines
        )
    rate, sku, host = min(hosts, key=lambda h: (h[0], h[1]))
    cost = w.runs_per_month * w.hours_per_run * rate
    alternative = (
        f"one {sku} ({host.gpu_count} × {host.gpu_model}, {host.gpu_memory_gib:g} GiB each) holds the run "
        f"on a single host: {w.runs_per_month:g} runs × {w.hours_per_run:g} h × ${rate:g}/h = "
        f"${cost:,.2f}/month against ${line.monthly_usd:,.2f}/month in the plan"
    )
    return GpuReview(w.name, False, reason, lines, alternative)
