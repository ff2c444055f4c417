"""Live Azure list prices from the Azure Retail Prices API (unauthenticated, pages linked by NextPageLink).

Blocking standard-library HTTP runs in worker threads; each request has a timeout, rate limits and server
errors are retried with a short backoff, and any failure surfaces as PriceSourceError."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import structlog

from infra_mind.agents.web_research.azure_meters import meter_for, select_price
from infra_mind.agents.web_research.sources import PriceCheck, PriceSourceError
from infra_mind.domain.pricing import BomLine
from infra_mind.knowledge.azure_meters import Meter
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

log = structlog.get_logger()

RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"
API_VERSION = "2023-01-01-preview"
MAX_RESPONSE_BYTES = 8_000_000
TRANSIENT_HTTP = frozenset({408, 429, 500, 502, 503, 504})

Item = Mapping[str, Any]


class AzureRetailPrices:
    """A PriceSource for the azure lines of a bill of materials."""

    def __init__(
        self,
        knowledge: Knowledge,
        *,
        base_url: str = RETAIL_PRICES_URL,
        timeout_s: float = 5.0,
        attempts: int = 3,
        backoff_s: float = 0.25,
        max_pages: int = 10,
        concurrency: int = 4,
    ) -> None:
        if attempts < 1 or max_pages < 1 or concurrency < 1:
            raise ValueError("attempts, max_pages and concurrency must be at least 1")
        self._k = knowledge
        self._base_url = base_url
        self._origin = _origin(base_url)
        self._timeout_s = timeout_s
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._max_pages = max_pages
        self._concurrency = concurrency

    @property
    def name(self) -> str:
        return "azure_retail_prices"

    @property
    def provider(self) -> str | None:
        return Provider.AZURE.value

    async def current_prices(self, lines: list[BomLine]) -> list[PriceCheck]:
        meters = [meter_for(line, self._k) if line.provider == Provider.AZURE else None for line in lines]
        urls = {
            self.url(meter, line.region)
            for line, meter in zip(lines, meters, strict=True)
            if meter is not None
        }
        gate = asyncio.Semaphore(self._concurrency)

        async def fetch(url: str) -> tuple[str, list[Item]]:
            async with gate:
                return url, await asyncio.to_thread(self._items, url)

        answers = dict(await asyncio.gather(*(fetch(url) for url in sorted(urls))))
        return [
            self._check(line, meter, answers) if meter else _not_covered(line)
            for line, meter in zip(lines, meters, strict=True)
        ]

    def url(self, meter: Meter, region: str) -> str:
        query = {"api-version": API_VERSION, "$filter": meter.odata_filter(region)}
        return f"{self._base_url}?{urlencode(query)}"

    def _check(self, line: BomLine, meter: Meter, answers: dict[str, list[Item]]) -> PriceCheck:
        url = self.url(meter, line.region)
        chosen = select_price(answers[url], meter, line.region)
        return PriceCheck(
            line,
            chosen.status,
            live_usd=chosen.usd,
            meter=f"{meter.describe()} ({chosen.unit})" if chosen.unit else meter.describe(),
            query=url,
            effective_from=chosen.effective_from,
            note=chosen.note,
        )

    def _items(self, url: str) -> list[Item]:
        """Every item of every page, following NextPageLink on the same origin only."""
        items: list[Item] = []
        next_url: str | None = url
        pages = 0
        while next_url:
            pages += 1
            if pages > self._max_pages:
                raise PriceSourceError(
                    f"more than {self._max_pages} pages for one query: {url}", transient=False
                )
            if _origin(next_url) != self._origin:
                raise PriceSourceError(f"refused a NextPageLink to another host: {next_url}", transient=False)
            page = self._page(next_url)
            items += [i for i in page["Items"] if isinstance(i, dict)]
            link = page.get("NextPageLink")
            next_url = link if isinstance(link, str) and link else None
        log.debug("web_research.azure.query", url=url, pages=pages, items=len(items))
        return items

    def _page(self, url: str) -> dict[str, Any]:
        attempt = 1
        while True:
            try:
                return _read_page(url, self._timeout_s)
            except PriceSourceError as error:
                if not error.transient:
                    raise
                if attempt >= self._attempts:
                    raise PriceSourceError(
                        f"{error.reason} (after {attempt} attempts)", transient=True
                    ) from error
                log.info("web_research.azure.retry", url=url, attempt=attempt, reason=error.reason)
            time.sleep(self._backoff_s * 2 ** (attempt - 1))
            attempt += 1


def _read_page(url: str, timeout_s: float) -> dict[str, Any]:
    host = urlsplit(url).netloc
    request = Request(url, headers={"Accept": "application/json", "User-Agent": "infra-mind web_research"})
    try:
        with urlopen(request, timeout=timeout_s) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except HTTPError as exc:
        raise PriceSourceError(
            f"{host} answered HTTP {exc.code} {exc.reason}", transient=exc.code in TRANSIENT_HTTP
        ) from exc
    except (URLError, OSError, HTTPException) as exc:
        reason = exc.reason if isinstance(exc, URLError) else exc
        if isinstance(reason, TimeoutError):
            raise PriceSourceError(f"{host} did not answer within {timeout_s:g} s", transient=True) from exc
        raise PriceSourceError(f"{host} is unreachable: {reason}", transient=True) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise PriceSourceError(
            f"{host} sent more than {MAX_RESPONSE_BYTES:,} bytes in one page", transient=False
        )
    try:
        page: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PriceSourceError(f"{host} sent a page that is not JSON: {exc}", transient=False) from exc
    if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
        raise PriceSourceError(f"{host} sent a page without an Items list", transient=False)
    return page


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _not_covered(line: BomLine) -> PriceCheck:
    note = (
        "not an azure line"
        if line.provider != Provider.AZURE
        else f"no confirmed Retail Prices API meter for {line.kind} ({line.sku})"
    )
    return PriceCheck(line, "not_covered", note=note)
