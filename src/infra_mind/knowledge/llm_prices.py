"""Managed LLM token prices for a few representative models per cloud, read offline from the data snapshot
bundled with the `genai-prices` package (never its network updater)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

import structlog
from pydantic import BaseModel, ConfigDict, Field

from infra_mind.knowledge.models import Provider, Sourced

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot
    from genai_prices.types import TieredPrices

log = structlog.get_logger(__name__)

PRICED_ON = date(2026, 11, 29)
"""The prices read are those the bundled data says are in force on this date: a fixed date, so a run never
depends on the clock. Move it when the package (pinned in constraints.txt) is upgraded."""
SNAPSHOT_VERSION = "0.2.3"
"""The genai-prices release PRICED_ON was set against."""
PACKAGE_URL = "https://github.com/pydantic/genai-prices"


class ModelTier(StrEnum):
    OPEN_WEIGHTS = "open_weights"
    SMALL = "small"
    MID = "mid"
    FRONTIER = "frontier"


@dataclass(frozen=True)
class ModelPick:
    """A representative model sold by a cloud's managed LLM service, named as genai-prices knows it."""

    cloud: Provider
    vendor: str
    """genai-prices provider id."""
    model_ref: str
    label: str
    tier: ModelTier
    open_weights_b_params: float | None = None


REPRESENTATIVE_MODELS: tuple[ModelPick, ...] = (
    ModelPick(
        Provider.AWS,
        "aws",
        "meta.llama3-1-8b-instruct-v1:0",
        "Llama 3.1 8B Instruct (Bedrock)",
        ModelTier.OPEN_WEIGHTS,
        8,
    ),
    ModelPick(
        Provider.AWS,
        "aws",
        "meta.llama3-3-70b-instruct-v1:0",
        "Llama 3.3 70B Instruct (Bedrock)",
        ModelTier.OPEN_WEIGHTS,
        70,
    ),
    ModelPick(
        Provider.AWS,
        "aws",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "Claude Haiku 4.5 (Bedrock, in-region)",
        ModelTier.SMALL,
    ),
    ModelPick(
        Provider.AWS,
        "aws",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Claude Sonnet 4.5 (Bedrock, in-region)",
        ModelTier.FRONTIER,
    ),
    ModelPick(Provider.AZURE, "azure", "phi-4", "Phi-4 (Azure AI Foundry)", ModelTier.SMALL),
    ModelPick(Provider.AZURE, "azure", "gpt-5-mini", "GPT-5 mini (Azure OpenAI)", ModelTier.MID),
    ModelPick(Provider.AZURE, "azure", "gpt-5", "GPT-5 (Azure OpenAI)", ModelTier.FRONTIER),
    ModelPick(
        Provider.GCP, "google", "gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite (Vertex AI)", ModelTier.SMALL
    ),
    ModelPick(Provider.GCP, "google", "gemini-2.5-flash", "Gemini 2.5 Flash (Vertex AI)", ModelTier.MID),
    ModelPick(Provider.GCP, "google", "gemini-2.5-pro", "Gemini 2.5 Pro (Vertex AI)", ModelTier.FRONTIER),
)


class PriceTier(BaseModel):
    """A higher rate that applies to every token of a request whose input passes the threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    above_input_tokens: int = Field(ge=0)
    usd_per_mtok: float = Field(ge=0)


class TokenPrice(Sourced):
    cloud: Provider
    vendor: str = Field(description="genai-prices provider id")
    model: str = Field(description="the model id the provider's API takes (genai-prices resolves it)")
    name: str
    tier: ModelTier
    open_weights_b_params: float | None = None
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    input_tiers: tuple[PriceTier, ...] = ()
    output_tiers: tuple[PriceTier, ...] = ()
    notes: str = ""

    def usd_per_request(self, input_tokens: int, output_tokens: int) -> float:
        """List price of one request; prompt caching and batch discounts are not assumed."""
        rate_in = _rate(self.input_usd_per_mtok, self.input_tiers, input_tokens)
        rate_out = _rate(self.output_usd_per_mtok, self.output_tiers, input_tokens)
        return (input_tokens * rate_in + output_tokens * rate_out) / 1e6


def _rate(base: float, tiers: tuple[PriceTier, ...], input_tokens: int) -> float:
    applicable = [t for t in tiers if input_tokens > t.above_input_tokens]
    return max(applicable, key=lambda t: t.above_input_tokens).usd_per_mtok if applicable else base


class LlmPriceCatalog:
    """Immutable after construction; token prices per cloud, in REPRESENTATIVE_MODELS order."""

    def __init__(
        self, prices: Iterable[TokenPrice] = (), snapshot: str = "no token price snapshot loaded"
    ) -> None:
        self._prices = tuple(prices)
        self.snapshot = snapshot

    @classmethod
    def from_genai_prices(cls) -> LlmPriceCatalog:
        """Reads REPRESENTATIVE_MODELS from the bundled snapshot; a model the snapshot lacks is left out."""
        import genai_prices
        from genai_prices.data import providers
        from genai_prices.data_snapshot import DataSnapshot

        version = genai_prices.__version__
        if version != SNAPSHOT_VERSION:
            log.warning("genai_prices_version_differs", installed=version, priced_against=SNAPSHOT_VERSION)
        snapshot = DataSnapshot(providers=providers, from_auto_update=False)
        prices = []
        for pick in REPRESENTATIVE_MODELS:
            price = _read(snapshot, pick, version)
            if price is None:
                log.warning("llm_model_not_in_price_snapshot", vendor=pick.vendor, model=pick.model_ref)
            else:
                prices.append(price)
        return cls(prices, f"genai-prices {version} bundled data, prices in force on {PRICED_ON.isoformat()}")

    def models(self, cloud: Provider) -> list[TokenPrice]:
        return [p for p in self._prices if p.cloud == cloud]

    def all(self) -> list[TokenPrice]:
        return list(self._prices)


def _read(snapshot: DataSnapshot, pick: ModelPick, version: str) -> TokenPrice | None:
    try:
        provider, model = snapshot.find_provider_model(pick.model_ref, None, pick.vendor, None)
    except LookupError:
        return None
    prices = model.get_prices(datetime(PRICED_ON.year, PRICED_ON.month, PRICED_ON.day, tzinfo=UTC))
    raw_in, raw_out = prices.input_mtok, prices.output_mtok
    if raw_in is None or raw_out is None:
        return None
    base_in, tiers_in = _split(raw_in)
    base_out, tiers_out = _split(raw_out)
    borrowed = not any(m is model for m in provider.models)
    pricing_pages = ", ".join(provider.pricing_urls or [])
    source = (
        f"genai-prices {version} bundled data snapshot ({PACKAGE_URL}), provider '{provider.id}', model "
        f"'{model.id}'"
        + (" (priced from the entry of the provider the package falls back to)" if borrowed else "")
        + f", prices in force on {PRICED_ON.isoformat()}; provider pricing: {pricing_pages}"
    )
    return TokenPrice(
        cloud=pick.cloud,
        vendor=provider.id,
        model=pick.model_ref,
        name=pick.label,
        tier=pick.tier,
        open_weights_b_params=pick.open_weights_b_params,
        input_usd_per_mtok=base_in,
        output_usd_per_mtok=base_out,
        input_tiers=tiers_in,
        output_tiers=tiers_out,
        notes=provider.price_comments or "",
        source=source,
        as_of=PRICED_ON,
    )


def _split(raw: Decimal | TieredPrices) -> tuple[float, tuple[PriceTier, ...]]:
    from genai_prices.types import TieredPrices

    if isinstance(raw, TieredPrices):
        tiers = tuple(PriceTier(above_input_tokens=t.start, usd_per_mtok=float(t.price)) for t in raw.tiers)
        return float(raw.base), tiers
    return float(raw), ()
