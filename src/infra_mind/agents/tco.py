"""Month-by-month run cost of a quote: each line grows with what drives it (users, stored data or nothing).

A pure function of the quote, the growth projection and the workloads, shared by the cto agent's 3-year
TCO and the phase-4 cost model's scenarios.
"""

from __future__ import annotations

from collections.abc import Sequence

from infra_mind.domain.growth import HORIZON_MONTHS, demand_factor
from infra_mind.domain.pricing import BomLine, ProviderQuote, ScalesWith
from infra_mind.domain.requirements import GrowthProjection
from infra_mind.domain.workloads import Workload


def monthly_series(
    quote: ProviderQuote,
    growth: GrowthProjection,
    workloads: Sequence[Workload],
    months: int = HORIZON_MONTHS,
    growth_scale: float = 1.0,
) -> list[float]:
    """Run cost of months 0 … months-1 in USD; month 0 is the quote itself (today's load).

    `users` lines follow `demand_factor`; `data` lines follow the stored data of their workload (of every
    workload for shared lines): today's size plus `data_growth_gb_per_month` each month; `fixed` lines stay
    flat. `growth_scale` scales growth above today's level of both users and data (1 = as projected,
    0 = no growth). Missing prices stay missing: the series covers priced lines only.
    """
    return [
        sum(
            line.monthly_usd * line_factor(line, growth, workloads, month, growth_scale)
            for line in quote.lines
        )
        for month in range(months)
    ]


def line_factor(
    line: BomLine,
    growth: GrowthProjection,
    workloads: Sequence[Workload],
    month: int,
    growth_scale: float = 1.0,
) -> float:
    """How many times today's cost the line costs in `month`."""
    match line.scales_with:
        case ScalesWith.FIXED:
            return 1.0
        case ScalesWith.USERS:
            return demand_factor(growth, month, scale=growth_scale)
    return data_factor(line, workloads, month, growth_scale)


def data_factor(line: BomLine, workloads: Sequence[Workload], month: int, growth_scale: float = 1.0) -> float:
    """Stored data in `month` relative to today's.

    Today's size is the owning workloads' `data_size_gb`; a workload with no data yet grows from the line's
    billed quantity (e.g. a minimum allocation).
    """
    owners = [w for w in workloads if w.name == line.workload] if line.workload else list(workloads)
    added = sum(w.data_growth_gb_per_month for w in owners) * growth_scale * month
    today = sum(w.data_size_gb for w in owners) or line.quantity
    if today <= 0:
        return 1.0
    return 1 + added / today
