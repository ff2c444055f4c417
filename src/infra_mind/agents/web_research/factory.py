"""The price source a setting names: the one place that turns configuration into a PriceSource."""

from __future__ import annotations

from infra_mind.agents.web_research.azure_prices import AzureRetailPrices
from infra_mind.agents.web_research.sources import OfflinePrices, PriceSource
from infra_mind.errors import ConfigurationError
from infra_mind.knowledge.catalog import Knowledge

LIVE_PRICE_SOURCES = ("off", "azure")


def price_source(kind: str, knowledge: Knowledge, *, timeout_s: float = 5.0) -> PriceSource:
    """`off` (the default: no network) or `azure` (the Azure Retail Prices API)."""
    if kind == "off":
        return OfflinePrices()
    if kind == "azure":
        return AzureRetailPrices(knowledge, timeout_s=timeout_s)
    choices = ", ".join(LIVE_PRICE_SOURCES)
    raise ConfigurationError(
        f"INFRA_MIND_LIVE_PRICES: unknown price source {kind!r}; choose one of {choices}"
    )
