"""The live check: the configured source's current list prices against the catalog prices of the plan."""

from __future__ import annotations

import asyncio

import structlog

from infra_mind.agents.plan import PricedPlan
from infra_mind.agents.web_research.sources import PriceCheck, PriceSource, PriceSourceError
from infra_mind.domain.outputs.web_research import LineDrift, LiveCheck
from infra_mind.domain.pricing import ProviderQuote

log = structlog.get_logger()

LIVE_PRICES_SETTING = "INFRA_MIND_LIVE_PRICES"


async def live_check(
    source: PriceSource, plan: PricedPlan, threshold_pct: float, budget_s: float
) -> LiveCheck:
    provider = source.provider
    if provider is None:
        return LiveCheck(
            status="not_configured",
            source=source.name,
            provider=None,
            threshold_pct=threshold_pct,
            detail=f"No live check was made: no live price source is configured ({LIVE_PRICES_SETTING} is "
            "off), so every price is the catalog's, as of the date on its record.",
        )
    quote = plan.quote(provider)
    if quote is None:
        return LiveCheck(
            status="not_applicable",
            source=source.name,
            provider=provider,
            threshold_pct=threshold_pct,
            detail=f"No live check was made: the source reads {provider} list prices and the constraints "
            f"exclude {provider}, so there is no {provider} bill of materials to check.",
        )
    try:
        checks = await asyncio.wait_for(source.current_prices(quote.lines), timeout=budget_s)
    except PriceSourceError as error:
        log.warning("web_research.live_check_failed", source=source.name, reason=error.reason)
        return _failed(source, quote, threshold_pct, error.reason, transient=error.transient)
    except TimeoutError:
        log.warning("web_research.live_check_timed_out", source=source.name, budget_s=budget_s)
        return _failed(source, quote, threshold_pct, f"no answer within {budget_s:g} s", transient=True)
    return _completed(source, quote, checks, threshold_pct)


def _failed(
    source: PriceSource, quote: ProviderQuote, threshold_pct: float, reason: str, *, transient: bool
) -> LiveCheck:
    retry = " A later run may succeed." if transient else ""
    return LiveCheck(
        status="failed",
        source=source.name,
        provider=quote.provider,
        threshold_pct=threshold_pct,
        detail=f"The live check of the {len(quote.lines)} {quote.provider} lines failed: {reason}.{retry} "
        "Every price is the catalog's, as of the date on its record.",
        transient=transient,
    )


def _completed(
    source: PriceSource, quote: ProviderQuote, checks: list[PriceCheck], threshold_pct: float
) -> LiveCheck:
    drifts = [line_drift(c, threshold_pct) for c in checks]
    matched = [d for d in drifts if d.status == "matched"]
    flagged = [d for d in matched if d.flagged]
    uncovered = len(drifts) - len(matched)
    return LiveCheck(
        status="completed",
        source=source.name,
        provider=quote.provider,
        threshold_pct=threshold_pct,
        detail=f"{len(matched)} of {len(drifts)} {quote.provider} lines matched a live list price; "
        f"{len(flagged)} differ from the catalog by more than {threshold_pct:g} %"
        + (f"; {uncovered} could not be matched (see each line's note)" if uncovered else ""),
        lines_checked=len(drifts),
        matched=len(matched),
        flagged=len(flagged),
        monthly_catalog_usd=round(sum(d.monthly_catalog_usd for d in matched), 2),
        monthly_live_usd=round(sum(d.monthly_live_usd or 0 for d in matched), 2),
        drifts=drifts,
    )


def line_drift(check: PriceCheck, threshold_pct: float) -> LineDrift:
    line = check.line
    live = check.live_usd if check.status == "matched" else None
    drift = None if live is None else round((live - line.unit_price_usd) / line.unit_price_usd * 100, 2)
    return LineDrift(
        component=line.component,
        workload=line.workload,
        site=line.site.value,
        kind=line.kind,
        sku=line.sku,
        region=line.region,
        unit=line.unit,
        status=check.status,
        catalog_usd=line.unit_price_usd,
        catalog_as_of=line.as_of,
        live_usd=live,
        drift_pct=drift,
        flagged=drift is not None and abs(drift) > threshold_pct,
        monthly_catalog_usd=line.monthly_usd,
        monthly_live_usd=None if live is None else round(line.monthly_usd * live / line.unit_price_usd, 2),
        meter=check.meter,
        query=check.query,
        effective_from=check.effective_from,
        note=check.note,
    )
