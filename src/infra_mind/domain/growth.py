"""The user-growth curve over the planning horizon, from the projection in the input."""

from __future__ import annotations

from itertools import pairwise

from infra_mind.domain.requirements import GrowthProjection

HORIZON_MONTHS = 36


def users_at(growth: GrowthProjection, month: float) -> float:
    """Piecewise-linear through 0/6/12/24 months; beyond 24 the 12→24 monthly rate continues."""
    points = [(0, growth.current_users), (6, growth.users_6m), (12, growth.users_12m), (24, growth.users_24m)]
    for (m0, u0), (m1, u1) in pairwise(points):
        if month <= m1:
            return u0 + (u1 - u0) * (month - m0) / (m1 - m0)
    rate = (growth.users_24m - growth.users_12m) / 12
    return growth.users_24m + rate * (month - 24)


def demand_factor(growth: GrowthProjection, month: float, *, scale: float = 1.0) -> float:
    """Load at `month` relative to today's, with the growth above today's level scaled by `scale`.

    With no users yet the load figures describe launch, so the curve is taken relative to 6 months.
    """
    base = growth.current_users or growth.users_6m
    if base == 0:
        return 1.0
    reference = users_at(growth, month) if growth.current_users else max(users_at(growth, month), base)
    return max(1.0, 1 + (reference / base - 1) * scale)
