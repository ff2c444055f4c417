"""Monte-Carlo of user growth and of each provider's cost under four purchase strategies.

Users follow the projection with lognormal noise that accumulates month by month (a random walk in log
space centred on zero), so month 0 is today's known load, the projection is the median path and the spread
widens with the horizon. The cost of every run is the re-priced backbone with its user-driven part scaled
by that run's noise. All providers see the same runs (common random numbers), so strategies and providers
compare run by run.

Commitments are bought once a year (months 0, 12 and 24) and follow the newsvendor rule: committing one
more dollar of on-demand spend saves the discount when it is used and wastes the committed rate when it is
not, so the level that minimises the expected cost is the `discount` quantile of the usage it will cover.
A purchase never commits more than the projected usage on the day it is made. 1-year commitments expire
and are bought again at the new level; 3-year commitments stay, so each later purchase only tops the level
up for the rest of the horizon (months past the horizon are not costed).

On demand and with commitments, a month's cost only grows with that month's noise, so its percentiles are
the cost at the noise percentiles; the 36-month totals and every saving are taken run by run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from infra_mind.agents.simulation.backbone import Array, Backbone, Part
from infra_mind.domain.outputs.simulation import DiscountUsed, MonthlyBand, Percentiles, StrategyResult
from infra_mind.knowledge.commitments import CommitmentDiscount, SpotDiscount, Term

PERCENTILES = (10, 50, 90)
PURCHASE_EVERY = 12
"""Months between commitment purchases."""
LEVEL_RUNS = 500
"""Runs the commitment level is chosen on; every run is then costed with it."""


@dataclass(frozen=True)
class SpotPolicy:
    share: float
    """Fraction of interruptible instance-hours run on spot."""
    rework: float
    """Extra instance-hours per spot instance-hour to redo interrupted work."""


@dataclass(frozen=True)
class Noise:
    runs: Array
    """Runs × months of multipliers around the projection: 1 in month 0, median 1 in every month."""
    bands: Array
    """3 × months: the P10, P50 and P90 multiplier of each month."""


@dataclass(frozen=True)
class Simulated:
    strategies: list[StrategyResult]
    spot_savings: dict[str, Array]
    """Per interruptible workload: the 36-month saving of its spot share, run by run."""


def demand_noise(rng: np.random.Generator, runs: int, months: int, volatility_annual: float) -> Noise:
    sigma = volatility_annual / np.sqrt(12)
    steps = rng.standard_normal((runs, months - 1)) * sigma
    walk = np.exp(np.concatenate([np.zeros((runs, 1)), np.cumsum(steps, axis=1)], axis=1))
    return Noise(walk, np.percentile(walk, PERCENTILES, axis=0))


def percentiles(values: Array) -> Percentiles:
    p10, p50, p90 = np.percentile(values, PERCENTILES)
    return Percentiles(p10=round(float(p10), 2), p50=round(float(p50), 2), p90=round(float(p90), 2))


def band(rows: Array) -> MonthlyBand:
    """A 3 × months array of P10, P50 and P90 as a monthly band."""
    p10, p50, p90 = (np.round(row, 2).tolist() for row in rows)
    return MonthlyBand(p10=p10, p50=p50, p90=p90)


def simulate(backbone: Backbone, noise: Noise, rng: np.random.Generator, spot: SpotPolicy) -> Simulated:
    """The four strategies of one provider over the same runs."""
    parts = [backbone.rest, *backbone.commit, *backbone.spot]
    users = sum((p.users_usd for p in parts), np.zeros(noise.runs.shape[1]))
    other = sum((p.other_usd for p in parts), np.zeros(noise.runs.shape[1]))
    on_demand_runs = noise.runs @ users + other.sum()
    on_demand_band = noise.bands * users + other
    buffer = np.empty_like(noise.runs)
    results = [
        _result(
            "on_demand",
            "every instance-hour at the on-demand list price",
            on_demand_band,
            on_demand_runs,
            np.zeros_like(on_demand_runs),
        )
    ]
    eligible = sum(p.baseline_usd for p in backbone.commit)
    for term in Term:
        saved = np.zeros_like(on_demand_runs)
        saved_band = np.zeros_like(noise.bands)
        discounts = []
        for part in backbone.commit:
            assert isinstance(part.record, CommitmentDiscount)
            discount = part.record.discount(term)
            levels = _levels(part, noise.runs[:LEVEL_RUNS], discount, term.months)
            saved += _kept(part, noise.runs, levels, buffer).sum(axis=1) - levels.sum() * (1 - discount)
            saved_band += np.minimum(part.usage(noise.bands), levels) - levels * (1 - discount)
            discounts.append(_used(part, part.record, f"{discount:.0%}", float(levels[0]), term))
        committed = sum(d.committed_usd_month or 0.0 for d in discounts)
        results.append(
            _result(
                f"commit_{term.value}",
                _term_text(term),
                on_demand_band - saved_band,
                on_demand_runs - saved,
                saved,
                committed_share=round(committed / eligible, 3) if eligible else None,
                discounts=discounts,
            )
        )
    draws = _spot_draws(backbone, noise.runs.shape[0], rng, spot)
    totals = [noise.runs @ part.users_usd + part.other_usd.sum() for part in backbone.spot]
    saved = sum(
        (share * total for share, total in zip(draws, totals, strict=True)), np.zeros_like(on_demand_runs)
    )
    results.append(
        _result(
            "spot",
            f"{spot.share:.0%} of interruptible instance-hours on spot (plus {spot.rework:.0%} rework), "
            "the rest on demand",
            _spot_band(backbone, noise, draws, users, other, on_demand_band),
            on_demand_runs - saved,
            saved,
            discounts=[_used(part, part.record, _range(part.record)) for part in backbone.spot],
        )
    )
    savings: dict[str, Array] = {}
    for part, share, total in zip(backbone.spot, draws, totals, strict=True):
        name = part.workload or ""
        savings[name] = savings.get(name, np.zeros_like(total)) + share * total
    return Simulated(results, savings)


def _levels(part: Part, runs: Array, discount: float, term_months: int) -> Array:
    """The committed on-demand-equivalent spend of each month after the purchases at months 0, 12 and 24."""
    planned = part.monthly_usd
    usage = part.usage(runs)
    levels = np.zeros_like(planned)
    for start in range(0, len(planned), PURCHASE_EVERY):
        covered = usage[:, start : start + term_months]
        level = min(float(np.quantile(covered, discount)), float(planned[start]))
        held = levels[start : start + term_months]
        levels[start : start + term_months] = np.maximum(held, level)
    return levels


def _kept(part: Part, runs: Array, levels: Array, buffer: Array) -> Array:
    """min(usage, level) per run and month: the committed spend each run uses, computed in `buffer`."""
    np.multiply(runs, part.users_usd, out=buffer)
    buffer += part.other_usd
    return np.minimum(buffer, levels, out=buffer)


def _spot_band(
    backbone: Backbone, noise: Noise, draws: list[Array], users: Array, other: Array, on_demand_band: Array
) -> Array:
    """P10/P50/P90 of each month's cost with the spot shares: taken over the runs, since the spot price of
    a run moves apart from its users."""
    if not backbone.spot:
        return on_demand_band
    monthly = noise.runs * users + other
    buffer = np.empty_like(monthly)
    for part, share in zip(backbone.spot, draws, strict=True):
        np.multiply(noise.runs, part.users_usd, out=buffer)
        buffer += part.other_usd
        buffer *= share[:, None]
        monthly -= buffer
    return np.asarray(np.percentile(monthly, PERCENTILES, axis=0))


def _spot_draws(backbone: Backbone, runs: int, rng: np.random.Generator, policy: SpotPolicy) -> list[Array]:
    """Per spot part and run: the fraction of its on-demand cost saved (share × (1 - spot price × rework))."""
    draws = []
    for part in backbone.spot:
        assert isinstance(part.record, SpotDiscount)
        discount = rng.uniform(part.record.discount_low, part.record.discount_high, size=runs)
        draws.append(policy.share * (1 - (1 - discount) * (1 + policy.rework)))
    return draws


def _result(
    strategy: str,
    description: str,
    monthly_band: Array,
    totals: Array,
    saved: Array,
    *,
    committed_share: float | None = None,
    discounts: list[DiscountUsed] | None = None,
) -> StrategyResult:
    return StrategyResult.model_validate(
        {
            "strategy": strategy,
            "description": description,
            "monthly_usd": band(monthly_band),
            "total_36m_usd": percentiles(totals),
            "saving_36m_usd": percentiles(saved),
            "committed_share": committed_share,
            "discounts": discounts or [],
        }
    )


def _term_text(term: Term) -> str:
    if term is Term.ONE_YEAR:
        return (
            "always-on compute committed for 1 year at a time, bought again at months 12 and 24, each time "
            "at the cost-minimising level and at most the projected usage; the rest on demand"
        )
    return (
        "always-on compute committed for 3 years at the cost-minimising level (at most today's usage), "
        "topped up at months 12 and 24 as usage grows; the rest on demand"
    )


def _range(record: CommitmentDiscount | SpotDiscount | None) -> str:
    if not isinstance(record, SpotDiscount):
        return ""
    if record.discount_low == record.discount_high:
        return f"{record.discount_low:.0%}"
    return f"{record.discount_low:.0%}-{record.discount_high:.0%}"


def _used(
    part: Part,
    record: CommitmentDiscount | SpotDiscount | None,
    discount: str,
    level: float | None = None,
    term: Term | None = None,
) -> DiscountUsed:
    assert record is not None
    return DiscountUsed(
        scope=record.scope,
        instrument=f"{record.instrument}, {term.months // 12}-year term"
        if isinstance(record, CommitmentDiscount) and term
        else None,
        discount=discount,
        instances=list(part.instances),
        baseline_usd_month=round(part.baseline_usd, 2),
        committed_usd_month=None if level is None else round(level, 2),
        source=record.source,
        as_of=record.as_of.isoformat(),
        estimate=record.estimate,
    )
