"""Sensitivity of the 36-month on-demand total to each cost driver (tornado data), one driver at a time.

Drivers that change what is deployed (user growth, peak multiplier, data growth) are re-priced with the same
regions and DR strategy (agents.tco) at two of the backbone's months (12 and 36 for growth; 0 and 36 for the
peak multiplier, which changes today's deployment too); the ratio to the plan priced at the same months is
interpolated in between and applied to the backbone's monthly cost, so the tornado keeps the backbone's shape
at a fraction of the re-pricing. Drivers that change only a volume billed per unit move those lines at every
priced month: bytes per response move the egress, CDN, NAT-data and load-balancer-capacity lines (net of free
units; a load balancer at its minimum capacity stays there), GPU-hours the GPU instance lines, unit prices
every line.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from infra_mind.agents.bom import BomBuilder
from infra_mind.agents.plan import ProviderPlan, reprice
from infra_mind.agents.simulation.backbone import Backbone
from infra_mind.agents.tco import scaled_context
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.growth import demand_factor
from infra_mind.domain.outputs.simulation import Sensitivity, SensitivityDriver
from infra_mind.domain.pricing import BomLine
from infra_mind.domain.workloads import Workload
from infra_mind.engine.profile import Sizer
from infra_mind.knowledge.catalog import Knowledge

LATER = (12, 36)
"""Months a driver that leaves today's deployment alone is re-priced at (the backbone's months too)."""
ENDS = (0, 36)
"""Months the peak multiplier is re-priced at: it scales every fleet alike, so the ratio barely moves."""
TRAFFIC_KINDS = frozenset({"egress", "cdn", "nat_data", "load_balancer_capacity"})
CAPACITY_UNIT = "capacity_unit_hour"


Change = Callable[[Workload, float], Workload | None]
"""The workload with a driver moved by a factor; None when the driver does not touch it."""


def tornado(
    ctx: AssessmentContext, knowledge: Knowledge, option: ProviderPlan, backbone: Backbone, swing: float
) -> Sensitivity:
    pricer = _Pricer(ctx, knowledge, option, backbone)
    base = backbone.total_usd
    low, high = 1 - swing, 1 + swing
    growing = demand_factor(ctx.requirements.growth, len(backbone.monthly_usd) - 1) > 1
    gpu = float(backbone.gpu_usd.sum())
    hours = knowledge.sizing("hours_per_month").value
    pct = f"{swing:.0%}"
    drivers = [
        _driver(
            "users_growth",
            f"user growth above today's level {pct} below and above the projection",
            (pricer.total(LATER, scale=low), pricer.total(LATER, scale=high)) if growing else (base, base),
        ),
        _driver(
            "peak_multiplier",
            f"every workload's peak ÷ average load {pct} lower and higher (at least 1)",
            pricer.moved(_peak, low, high, ENDS),
        ),
        _driver(
            "data_growth",
            f"stored data growing {pct} slower and faster each month",
            pricer.moved(_data_growth, low, high, LATER),
        ),
        _driver(
            "egress_per_request",
            f"bytes per web and API response {pct} smaller and larger (egress, CDN, NAT, load balancer)",
            (base + _traffic_delta(backbone, low, hours), base + _traffic_delta(backbone, high, hours)),
        ),
        _driver(
            "gpu_hours",
            f"GPU instance-hours {pct} fewer and more at the same hourly price",
            (base - swing * gpu, base + swing * gpu),
        ),
        _driver(
            "unit_prices",
            f"every list price {pct} lower and higher",
            (base * low, base * high),
        ),
    ]
    return Sensitivity(
        provider=option.provider,
        base_total_usd=round(base, 2),
        swing_pct=round(swing * 100, 1),
        drivers=sorted(drivers, key=lambda d: (-d.swing_usd, d.driver)),
    )


def _traffic_delta(backbone: Backbone, factor: float, hours: float) -> float:
    """The change of the 36-month total when every response carries `factor` × the bytes."""
    months = sorted(backbone.priced)
    deltas = [
        sum(
            _moved_line(line, factor, hours) - line.monthly_usd
            for line in backbone.priced[m].lines
            if line.kind in TRAFFIC_KINDS
        )
        for m in months
    ]
    return float(np.interp(np.arange(len(backbone.monthly_usd)), months, deltas).sum())


def _moved_line(line: BomLine, factor: float, hours: float) -> float:
    if line.unit == CAPACITY_UNIT and line.quantity <= hours:
        return line.monthly_usd
    free = max(0.0, line.quantity - line.monthly_usd / line.unit_price_usd)
    return max(0.0, line.quantity * factor - free) * line.unit_price_usd


class _Pricer:
    """36-month totals of one provider's plan when the context changes."""

    def __init__(
        self, ctx: AssessmentContext, knowledge: Knowledge, option: ProviderPlan, backbone: Backbone
    ) -> None:
        self._ctx = ctx
        self._k = knowledge
        self._option = option
        self._monthly = backbone.monthly_usd
        self._base_total = backbone.total_usd
        self._priced = {m: q.monthly_usd for m, q in backbone.priced.items()}
        self._builder = BomBuilder(knowledge)
        self._sizer = Sizer(knowledge)

    def total(
        self, months: tuple[int, ...], ctx: AssessmentContext | None = None, *, scale: float = 1.0
    ) -> float:
        """The 36-month total with the context re-priced at `months`; month 0 keeps the plan when it is
        not one of them."""
        current = ctx or self._ctx
        ratios = {0: 1.0} | {
            m: self._price(current, m, scale) / self._priced[m] if self._priced[m] else 1.0
            for m in months
            if m in self._priced
        }
        known = sorted(ratios)
        ratio = np.interp(np.arange(len(self._monthly)), known, [ratios[m] for m in known])
        return float((self._monthly * ratio).sum())

    def _price(self, ctx: AssessmentContext, month: int, scale: float) -> float:
        grown = scaled_context(ctx, self._sizer, month, scale)
        return reprice(grown, self._k, self._builder, self._option).monthly_usd

    def moved(self, change: Change, low: float, high: float, months: tuple[int, ...]) -> tuple[float, float]:
        workloads = self._ctx.requirements.workloads
        totals = []
        for factor in (low, high):
            changed = [change(w, factor) for w in workloads]
            if all(w is None for w in changed):
                return self._base_total, self._base_total
            spec = self._ctx.requirements.model_copy(
                update={"workloads": [new or old for new, old in zip(changed, workloads, strict=True)]}
            )
            ctx = self._ctx.model_copy(update={"requirements": spec, "profile": self._sizer.profile(spec)})
            totals.append(self.total(months, ctx))
        return totals[0], totals[1]


def _peak(w: Workload, factor: float) -> Workload:
    return w.model_copy(update={"peak_multiplier": min(100.0, max(1.0, w.peak_multiplier * factor))})


def _data_growth(w: Workload, factor: float) -> Workload | None:
    if not w.data_growth_gb_per_month:
        return None
    return w.model_copy(update={"data_growth_gb_per_month": w.data_growth_gb_per_month * factor})


def _driver(name: str, description: str, totals: tuple[float, float]) -> SensitivityDriver:
    low, high = totals
    swing = abs(high - low)
    return SensitivityDriver(
        driver=name,
        description=description,
        low_total_usd=round(low, 2),
        high_total_usd=round(high, 2),
        swing_usd=round(swing, 2),
        applies=swing >= 0.01,
    )
