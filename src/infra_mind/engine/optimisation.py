"""The purchase strategies of the cost model's scenarios, applied to a provider's re-priced plan.

conservative: everything on demand at list price. expected: the always-on compute running at each
yearly purchase date is bought on 1-year commitments. aggressive optimisation: 3-year commitments for that
baseline, topped up yearly, and interruptible work on spot at the cautious end of the observed discount.
Growth above a commitment stays on demand; nothing is committed beyond what is planned on the day of purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from infra_mind.agents.simulation.backbone import Array, Backbone, Part
from infra_mind.domain.pricing import Assumption
from infra_mind.knowledge.commitments import CommitmentCatalog, CommitmentDiscount, SpotDiscount, Term

PURCHASE_EVERY_MONTHS = 12


class Strategy(StrEnum):
    CONSERVATIVE = "conservative"
    EXPECTED = "expected"
    AGGRESSIVE = "aggressive_optimisation"


DESCRIPTIONS = {
    Strategy.CONSERVATIVE: "every line on demand at list price, as the load grows",
    Strategy.EXPECTED: "always-on compute at each yearly purchase date bought on 1-year commitments; "
    "the rest on demand",
    Strategy.AGGRESSIVE: "3-year commitments for the always-on compute baseline, topped up yearly, and "
    "interruptible work (batch, training, non-streaming processing) on spot at the cautious end of "
    "the discount",
}


@dataclass(frozen=True)
class SpotTerms:
    share: float
    rework: float


def spot_terms(catalog: CommitmentCatalog) -> tuple[SpotTerms, list[Assumption]]:
    share = catalog.assumption("spot_share_interruptible")
    rework = catalog.assumption("spot_rework_overhead")
    return SpotTerms(share.value, rework.value), [share.assumption(), rework.assumption()]


def monthly_cost(backbone: Backbone, strategy: Strategy, spot: SpotTerms) -> list[float]:
    total = backbone.rest.monthly_usd.copy()
    for part in [*backbone.commit, *backbone.spot]:
        total += _part_cost(part, strategy, spot)
    return [float(v) for v in total]


def _part_cost(part: Part, strategy: Strategy, spot: SpotTerms) -> Array:
    planned = part.monthly_usd
    if strategy is Strategy.CONSERVATIVE:
        return planned
    if part.role == "commit" and isinstance(part.record, CommitmentDiscount):
        term = Term.ONE_YEAR if strategy is Strategy.EXPECTED else Term.THREE_YEARS
        return committed_cost(planned, part.record.discount(term), term.months)
    if part.role == "spot" and strategy is Strategy.AGGRESSIVE and isinstance(part.record, SpotDiscount):
        on_spot = planned * spot.share * (1 - part.record.discount_low) * (1 + spot.rework)
        return on_spot + planned * (1 - spot.share)
    return planned


def committed_cost(planned: Array, discount: float, term_months: int) -> Array:
    """Commit, at months 0, 12 and 24, to the planned spend of that month; pay the discounted commitment
    every month it runs, and on-demand for any usage above it."""
    level = np.zeros_like(planned)
    for start in range(0, len(planned), PURCHASE_EVERY_MONTHS):
        held = level[start : start + term_months]
        level[start : start + term_months] = np.maximum(held, planned[start])
    return level * (1 - discount) + np.maximum(planned - level, 0)
