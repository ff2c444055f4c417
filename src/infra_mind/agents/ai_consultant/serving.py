"""The arithmetic of self-hosting an LLM: GPU memory for weights and KV cache, replica capacity, and the
volume at which self-hosting becomes cheaper than a managed API. Pure functions of their arguments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from infra_mind.knowledge.ai_use_cases import OpenWeightsModel

Precision = Literal["fp16", "int8", "int4"]
PRECISIONS: tuple[Precision, ...] = ("fp16", "int8", "int4")

GIB = 2**30
SECONDS_PER_DAY = 86_400
PUBLISHED_SIZE_TOLERANCE = 0.10
"""A model within 10 % of a catalogued model's parameter count is sized with that model's architecture."""


@dataclass(frozen=True)
class Architecture:
    name: str
    params_b: float
    kv_values_per_token: float
    """2 × layers × kv width: the keys and values cached for one token."""
    basis: str
    published: OpenWeightsModel | None
    """The catalogued model whose config is used; None when the KV size is approximated."""

    @property
    def max_context_tokens(self) -> int | None:
        return self.published.max_context_tokens if self.published else None


def architecture(params_b: float, catalogued: Sequence[OpenWeightsModel]) -> Architecture | None:
    """The published architecture of a catalogued model of this size, or the KV cache size approximated from
    the catalogued ones by a power law in the parameter count; None when nothing is catalogued."""
    if not catalogued:
        return None
    nearest = min(catalogued, key=lambda m: abs(m.params_b - params_b))
    if abs(nearest.params_b - params_b) <= PUBLISHED_SIZE_TOLERANCE * nearest.params_b:
        return Architecture(
            nearest.name,
            nearest.params_b,
            _kv_values(nearest),
            f"published config of {nearest.name}: KV cache per token = 2 × {nearest.layers} layers × "
            f"{nearest.kv_width:,} values ({nearest.kv_heads} KV heads × "
            f"{nearest.hidden_size // nearest.attention_heads} head size, grouped-query attention)",
            nearest,
        )
    ordered = sorted(catalogued, key=lambda m: m.params_b)
    if len(ordered) == 1:
        values = _kv_values(nearest) * params_b / nearest.params_b
        basis = f"approximated: KV cache per token scaled from {nearest.name} in proportion to the parameters"
    else:
        low, high = _bracket(ordered, params_b)
        v_low, v_high = _kv_values(low), _kv_values(high)
        exponent = math.log(v_high / v_low) / math.log(high.params_b / low.params_b)
        values = v_low * (params_b / low.params_b) ** exponent
        basis = (
            f"approximated: KV cache per token = {v_low:,.0f} values × ({params_b:g} B ÷ {low.params_b:g} B)"
            f"^{exponent:.2f}, the power law through the published {low.name} and {high.name} configs"
        )
    return Architecture(f"{params_b:g} B model", params_b, values, basis, None)


def _kv_values(model: OpenWeightsModel) -> float:
    return float(2 * model.layers * model.kv_width)


def _bracket(
    ordered: Sequence[OpenWeightsModel], params_b: float
) -> tuple[OpenWeightsModel, OpenWeightsModel]:
    """The two catalogued models around the size, or the two nearest ends when it is outside their range."""
    for low, high in pairwise(ordered):
        if low.params_b <= params_b <= high.params_b:
            return low, high
    return (ordered[0], ordered[1]) if params_b < ordered[0].params_b else (ordered[-2], ordered[-1])


def weights_gib(params_b: float, bytes_per_param: float) -> float:
    """GPU memory for the weights: parameters × bytes per parameter at the precision."""
    return params_b * 1e9 * bytes_per_param / GIB


def kv_cache_gib(arch: Architecture, context_tokens: int, bytes_per_value: float, sequences: float) -> float:
    """KV cache = 2 × layers × kv width × context tokens × bytes × concurrent sequences."""
    return arch.kv_values_per_token * context_tokens * bytes_per_value * sequences / GIB


@dataclass(frozen=True)
class Traffic:
    requests_per_day: float
    input_tokens: int
    output_tokens: int
    peak_multiplier: float

    @property
    def context_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def peak_requests_per_s(self) -> float:
        return self.requests_per_day / SECONDS_PER_DAY * self.peak_multiplier


def daily_capacity(peak_requests_per_s: float, peak_multiplier: float) -> float:
    """Requests per day whose peak is the given rate."""
    return peak_requests_per_s * SECONDS_PER_DAY / peak_multiplier


def replicas_for(requests_per_day: float, capacity_per_day: float) -> int:
    """Replicas that serve the volume, at least one; float noise ignored (3 ÷ 0.6 is 5, not 6)."""
    return max(1, math.ceil(round(requests_per_day / capacity_per_day, 9)))


def break_even_requests_per_day(
    replica_monthly_usd: float,
    replica_capacity_per_day: float,
    api_usd_per_request: float,
    days_per_month: float,
) -> float | None:
    """The volume (requests/day) above which self-hosting stays cheaper than the managed API.

    Self-hosting costs `replica_monthly_usd` for every started `replica_capacity_per_day`; the API costs
    `api_usd_per_request` × requests/day × `days_per_month`. Self-hosting is cheaper in the band of k + 1
    replicas once the volume passes (k + 1) × u, where u is the volume one replica's cost buys from the API.
    Bands whose start is past that point are cheaper throughout; the answer is the crossing in the last
    band that is not. None when a full replica costs at least as much as the API for the same volume.
    """
    api_monthly_per_daily_request = api_usd_per_request * days_per_month
    if api_monthly_per_daily_request <= 0:
        return None
    per_replica = replica_monthly_usd / api_monthly_per_daily_request
    if per_replica >= replica_capacity_per_day:
        return None
    bands_not_always_cheaper = math.ceil(round(per_replica / (replica_capacity_per_day - per_replica), 9))
    return max(1, bands_not_always_cheaper) * per_replica
