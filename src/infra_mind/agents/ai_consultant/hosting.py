"""Per LLM workload: the monthly cost of representative managed APIs on the plan's provider against
self-hosting open-weights models on the catalog's GPU instances, and the break-even volume."""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.ai_consultant.serving import (
    PRECISIONS,
    Architecture,
    Precision,
    Traffic,
    architecture,
    break_even_requests_per_day,
    daily_capacity,
    kv_cache_gib,
    replicas_for,
    weights_gib,
)
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.outputs.ai_consultant import (
    BreakEven,
    LlmHostingComparison,
    ManagedApiCost,
    SelfHostedOption,
)
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.workloads import LlmApplication
from infra_mind.knowledge.ai_use_cases import SERVING_RULES, AiCatalog
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.llm_prices import TokenPrice
from infra_mind.knowledge.models import InstanceCategory, Provider

LIKE_FOR_LIKE_TOLERANCE = 0.25
"""A managed open-weights model within 25 % of the self-hosted parameter count is the like-for-like one."""
GPU_LINE = "GPU"

_BYTES_RULE = {"fp16": None, "int8": "bytes_per_param_int8", "int4": "bytes_per_param_int4"}


@dataclass(frozen=True)
class Site:
    provider: Provider
    region: str
    quote: ProviderQuote | None


class HostingAnalyst:
    """Reads the catalogs once per run; `compare` is a pure function of the workload and the site."""

    def __init__(self, knowledge: Knowledge, catalog: AiCatalog, ctx: AssessmentContext) -> None:
        self._k = knowledge
        self._catalog = catalog
        self._ctx = ctx
        self._rule = {key: knowledge.sizing(key).value for key in SIZING_RULES}
        self._serving = {key: rule.value for key in SERVING_RULES if (rule := catalog.rule(key)) is not None}

    @property
    def days_per_month(self) -> float:
        return self._serving["llm_days_per_month"]

    def compare(self, w: LlmApplication, site: Site) -> LlmHostingComparison:
        traffic = Traffic(
            w.requests_per_day, w.input_tokens_per_request, w.output_tokens_per_request, w.peak_multiplier
        )
        days = self.days_per_month
        prices = self._catalog.llm_prices.models(site.provider)
        managed = [self._managed(p, traffic) for p in prices]
        sizes = (
            [w.model_size_b_params]
            if w.model_size_b_params
            else [m.params_b for m in self._catalog.open_models]
        )
        options: list[tuple[SelfHostedOption, Architecture]] = []
        for size in sizes:
            arch = architecture(size, self._catalog.open_models)
            if arch is not None:
                options += [(self._self_hosted(arch, p, traffic, site), arch) for p in PRECISIONS]
        breaks = [self._break_even(o, arch, traffic, prices) for o, arch in options]
        in_plan = _plan_gpu_cost(site.quote, w.name)
        comparison = LlmHostingComparison(
            workload=w.name,
            hosting=w.hosting.value,
            model_size_b_params=w.model_size_b_params,
            requests_per_day=w.requests_per_day,
            input_tokens_per_month=w.requests_per_day * w.input_tokens_per_request * days,
            output_tokens_per_month=w.requests_per_day * w.output_tokens_per_request * days,
            managed=managed,
            self_hosted=[o for o, _ in options],
            break_even=[b for b in breaks if b is not None],
            choice="undetermined",
            reason="",
            monthly_cost_in_plan=in_plan,
        )
        return _choose(comparison, traffic, self._ctx.requirements.team.ml_engineers, prices)

    def _managed(self, price: TokenPrice, traffic: Traffic) -> ManagedApiCost:
        per_request = price.usd_per_request(traffic.input_tokens, traffic.output_tokens)
        return ManagedApiCost(
            cloud=price.cloud.value,
            model=price.model,
            name=price.name,
            tier=price.tier.value,
            input_usd_per_mtok=price.input_usd_per_mtok,
            output_usd_per_mtok=price.output_usd_per_mtok,
            usd_per_request=per_request,
            monthly_usd=round(traffic.requests_per_day * per_request * self.days_per_month, 2),
            source=price.source,
            as_of=price.as_of,
        )

    def _bytes_per_param(self, precision: Precision) -> float:
        key = _BYTES_RULE[precision]
        return self._rule["bytes_per_param_fp16"] if key is None else self._serving[key]

    def _self_hosted(
        self, arch: Architecture, precision: Precision, traffic: Traffic, site: Site
    ) -> SelfHostedOption:
        r, s = self._rule, self._serving
        weights = weights_gib(arch.params_b, self._bytes_per_param(precision))
        kv_per_sequence = kv_cache_gib(arch, traffic.context_tokens, s["kv_cache_bytes_per_value"], 1)
        decode = (
            s["llm_decode_tokens_per_s_per_sequence"]
            * s["llm_decode_reference_b_params"]
            / max(arch.params_b, r["llm_scaling_min_b_params"])
        )
        residency = traffic.output_tokens / decode
        concurrent = traffic.peak_requests_per_s * residency
        usable = s["gpu_memory_utilization"]
        holds = (weights + kv_per_sequence) / usable
        need = max(holds, r["inference_gpu_memory_gib"])
        offer = self._k.cheapest_instance(
            site.provider, site.region, InstanceCategory.GPU, min_gpu_memory_gib=need
        )
        label = f"{arch.name} {precision}"
        per_param = self._bytes_per_param(precision)
        basis = [
            f"weights {weights:,.1f} GiB = {arch.params_b:g} B parameters × {per_param:g} "
            f"byte{'' if per_param == 1 else 's'} ({precision})",
            f"KV cache {kv_per_sequence * 1024:,.0f} MiB per sequence of {traffic.context_tokens:,} tokens "
            f"({arch.basis}, × {s['kv_cache_bytes_per_value']:g} bytes)",
            f"{concurrent:,.1f} sequences in flight at peak = {traffic.peak_requests_per_s:,.3g} req/s × "
            f"{residency:,.1f} s each ({traffic.output_tokens:,} output tokens at {decode:,.0f} tokens/s per "
            "sequence; Little's law)",
        ]
        if arch.max_context_tokens and traffic.context_tokens > arch.max_context_tokens:
            basis.append(
                f"{traffic.context_tokens:,} tokens per request exceed {arch.name}'s published "
                f"{arch.max_context_tokens:,}-token context: a longer-context variant is needed"
            )
        option = SelfHostedOption(
            model=arch.name,
            params_b=arch.params_b,
            architecture=arch.basis,
            precision=precision,
            weights_gib=round(weights, 2),
            kv_cache_gib_per_sequence=round(kv_per_sequence, 4),
            context_tokens=traffic.context_tokens,
            concurrent_sequences_at_peak=round(concurrent, 2),
            instance_sku=None,
            basis=basis,
        )
        if offer is None:
            return option.model_copy(
                update={
                    "missing_reason": f"no GPU instance in {site.provider.value} {site.region} holds "
                    f"{need:,.1f} GiB of GPU memory ({label}: weights and one sequence's KV cache at "
                    f"{usable:.0%} usable memory, at least one {r['inference_gpu_memory_gib']:g} GiB GPU)"
                }
            )
        instance, price = offer.instance, offer.price
        memory = instance.gpu_count * instance.gpu_memory_gib
        sequences = max(1, math.floor((memory * usable - weights) / kv_per_sequence))
        per_gpu = (
            r["llm_tokens_per_s_per_gpu"]
            * r["llm_reference_model_b_params"]
            / max(arch.params_b, r["llm_scaling_min_b_params"])
        )
        by_tokens = daily_capacity(
            per_gpu * instance.gpu_count * r["target_utilisation"] / traffic.context_tokens,
            traffic.peak_multiplier,
        )
        by_memory = daily_capacity(sequences / residency, traffic.peak_multiplier)
        capacity = min(by_tokens, by_memory)
        replicas = replicas_for(traffic.requests_per_day, capacity)
        hours = r["hours_per_month"]
        limit = "tokens/s" if by_tokens <= by_memory else "KV cache memory"
        basis += [
            f"{instance.sku} ({instance.gpu_count} × {instance.gpu_model}, {memory:g} GiB): the cheapest GPU "
            f"instance in {site.region} with {need:,.1f} GiB or more (weights and one sequence at "
            f"{usable:.0%} usable memory need {holds:,.1f} GiB; no GPU below the "
            f"{r['inference_gpu_memory_gib']:g} GiB class the throughput rule was measured on); room for "
            f"{sequences:,} sequences",
            f"one replica serves {capacity:,.0f} requests/day (bound by {limit}): {per_gpu:,.0f} tokens/s "
            f"per GPU × {instance.gpu_count} at {r['target_utilisation']:.0%} target utilisation, peak × "
            f"{traffic.peak_multiplier:g}",
            f"{replicas} replica(s) × ${price.usd_per_hour:g}/h × {hours:g} h",
        ]
        if precision != "fp16":
            basis.append(
                "tokens/s per GPU taken as in 16-bit: quantised weights usually decode faster on "
                "memory-bound GPUs, so the replica count errs high"
            )
        return option.model_copy(
            update={
                "instance_sku": instance.sku,
                "gpus_per_replica": instance.gpu_count,
                "sequences_per_replica": sequences,
                "replica_capacity_requests_per_day": round(capacity, 1),
                "replicas": replicas,
                "gpu_count": replicas * instance.gpu_count,
                "instance_usd_per_hour": price.usd_per_hour,
                "monthly_usd": round(replicas * price.usd_per_hour * hours, 2),
                "basis": basis,
                "price_source": price.source + (f" [estimate: {price.estimate}]" if price.estimate else ""),
                "price_as_of": price.as_of,
            }
        )

    def _break_even(
        self, option: SelfHostedOption, arch: Architecture, traffic: Traffic, prices: list[TokenPrice]
    ) -> BreakEven | None:
        match = comparison_model(prices, arch.params_b, traffic)
        if match is None or option.instance_usd_per_hour is None:
            return None
        price, like = match
        replica_monthly = option.instance_usd_per_hour * self._rule["hours_per_month"]
        per_request = price.usd_per_request(traffic.input_tokens, traffic.output_tokens)
        volume = break_even_requests_per_day(
            replica_monthly, option.replica_capacity_requests_per_day, per_request, self.days_per_month
        )
        basis = (
            f"one replica ${replica_monthly:,.0f}/month for {option.replica_capacity_requests_per_day:,.0f} "
            f"requests/day against ${per_request * 1000:,.4g} per 1,000 requests on {price.name}"
        )
        note = (
            f"{basis}: a full replica costs more than the API for the same volume, so self-hosting is never "
            "cheaper at list prices"
            if volume is None
            else f"{basis}: self-hosting stays cheaper above {volume:,.0f} requests/day"
        )
        if not like:
            note += " (not like-for-like: the provider's catalogued models differ from the self-hosted one)"
        return BreakEven(
            self_hosted=f"{option.model} {option.precision}",
            managed_model=price.name,
            like_for_like=like,
            requests_per_day=None if volume is None else round(volume, 1),
            note=note,
        )


def comparison_model(
    prices: list[TokenPrice], params_b: float, traffic: Traffic
) -> tuple[TokenPrice, bool] | None:
    """The managed open-weights model of the same size when the provider sells one (like-for-like), else the
    cheapest representative model for this traffic."""
    same = [
        p
        for p in prices
        if p.open_weights_b_params
        and abs(p.open_weights_b_params - params_b) <= LIKE_FOR_LIKE_TOLERANCE * params_b
    ]
    if same:
        return min(same, key=lambda p: abs((p.open_weights_b_params or 0) - params_b)), True
    if not prices:
        return None
    cheapest = min(
        prices, key=lambda p: (p.usd_per_request(traffic.input_tokens, traffic.output_tokens), p.model)
    )
    return cheapest, False


def _plan_gpu_cost(quote: ProviderQuote | None, workload: str) -> float | None:
    lines = (
        [line for line in quote.lines if line.workload == workload and GPU_LINE in line.component]
        if quote
        else []
    )
    return round(sum(line.monthly_usd for line in lines), 2) if lines else None


def best_self_hosted(c: LlmHostingComparison) -> SelfHostedOption | None:
    """The cheapest priced 16-bit option: self-hosting without a quality trade-off."""
    fp16 = [o for o in c.self_hosted if o.precision == "fp16" and o.monthly_usd is not None]
    return min(fp16, key=lambda o: (o.monthly_usd or 0, o.params_b), default=None)


def _choose(
    c: LlmHostingComparison, traffic: Traffic, ml_engineers: int, prices: list[TokenPrice]
) -> LlmHostingComparison:
    """The cheaper of self-hosting in 16-bit and the managed model it is compared with (the cheapest managed
    model when nothing can be self-hosted); managed when the team has no ML engineer to run GPUs."""
    best_self = best_self_hosted(c)
    reference, like = None, False
    if best_self is not None:
        match = comparison_model(prices, best_self.params_b, traffic)
        if match is not None:
            reference = next(m for m in c.managed if m.model == match[0].model)
            like = match[1]
    elif c.managed:
        reference = min(c.managed, key=lambda m: (m.monthly_usd, m.model))
    compared = {
        "reference_model": reference.model if reference else None,
        "reference_self_hosted": f"{best_self.model} {best_self.precision}" if best_self else None,
        "like_for_like": like,
    }
    if reference is None and best_self is None:
        return c.model_copy(
            update={"reason": "neither a managed token price nor a GPU instance price is available here"}
        )
    if reference is None:
        assert best_self is not None
        return c.model_copy(
            update={
                **compared,
                "choice": "self_hosted",
                "choice_monthly_usd": best_self.monthly_usd,
                "reason": f"no managed token price on this provider: self-hosting {best_self.model} fp16 "
                f"costs ${best_self.monthly_usd:,.2f}/month",
            }
        )
    managed_cost = f"{reference.name} costs ${reference.monthly_usd:,.2f}/month at this volume"
    if best_self is None or (best_self.monthly_usd or 0) >= reference.monthly_usd:
        against = (
            f" against ${best_self.monthly_usd:,.2f}/month self-hosting {best_self.model} fp16"
            if best_self
            else " (no catalogued GPU instance prices self-hosting here)"
        )
        return c.model_copy(
            update={
                **compared,
                "choice": "managed_api",
                "choice_monthly_usd": reference.monthly_usd,
                "reason": managed_cost + against,
            }
        )
    cheaper = f"self-hosting {best_self.model} fp16 costs ${best_self.monthly_usd:,.2f}/month; {managed_cost}"
    if ml_engineers == 0:
        return c.model_copy(
            update={
                **compared,
                "choice": "managed_api",
                "choice_monthly_usd": reference.monthly_usd,
                "reason": f"{cheaper}, but the team has no ML engineer to run models on GPUs",
            }
        )
    return c.model_copy(
        update={
            **compared,
            "choice": "self_hosted",
            "choice_monthly_usd": best_self.monthly_usd,
            "reason": cheaper,
        }
    )


SIZING_RULES = (
    "hours_per_month",
    "target_utilisation",
    "bytes_per_param_fp16",
    "inference_gpu_memory_gib",
    "llm_tokens_per_s_per_gpu",
    "llm_reference_model_b_params",
    "llm_scaling_min_b_params",
)
