"""The web_research agent: live list-price checks through a pluggable price source, and the freshness audit
of every catalog."""

from infra_mind.agents.web_research.agent import WebResearchAgent
from infra_mind.agents.web_research.azure_prices import AzureRetailPrices
from infra_mind.agents.web_research.factory import LIVE_PRICE_SOURCES, price_source
from infra_mind.agents.web_research.inventory import CatalogInventory
from infra_mind.agents.web_research.sources import OfflinePrices, PriceCheck, PriceSource, PriceSourceError

__all__ = [
    "LIVE_PRICE_SOURCES",
    "AzureRetailPrices",
    "CatalogInventory",
    "OfflinePrices",
    "PriceCheck",
    "PriceSource",
    "PriceSourceError",
    "WebResearchAgent",
    "price_source",
]
