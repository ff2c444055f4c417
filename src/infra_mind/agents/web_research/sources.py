"""The pluggable live-intelligence interface: a source of current list prices for bill-of-materials lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from infra_mind.domain.outputs.web_research import CheckStatus
from infra_mind.domain.pricing import BomLine


class PriceSourceError(Exception):
    """The source could not answer: unreachable, refused, or an answer it could not read."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True)
class PriceCheck:
    """What a source found for one line: the live price per the line's catalog unit, and its origin."""

    line: BomLine
    status: CheckStatus
    live_usd: float | None = None
    meter: str = ""
    query: str = ""
    effective_from: date | None = None
    note: str = ""


class PriceSource(Protocol):
    @property
    def name(self) -> str:
        """A stable identifier of the source, e.g. azure_retail_prices."""

    @property
    def provider(self) -> str | None:
        """The cloud whose list prices the source reads; None for a source that reads nothing live."""

    async def current_prices(self, lines: list[BomLine]) -> list[PriceCheck]:
        """One check per line, in order; raises PriceSourceError when the source cannot answer."""


class OfflinePrices:
    """The default: no network, no live price. Every line comes back unchecked."""

    @property
    def name(self) -> str:
        return "offline"

    @property
    def provider(self) -> str | None:
        return None

    async def current_prices(self, lines: list[BomLine]) -> list[PriceCheck]:
        return [
            PriceCheck(line, "not_covered", note="offline: no live price source is configured")
            for line in lines
        ]
