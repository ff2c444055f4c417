"""The deterministic backbone of the simulation: each provider's plan re-priced as the load grows
(agents.tco), split into the parts a purchase strategy acts on.

Always-on compute can be committed; interruptible compute (batch, training, non-streaming processing) can run
on spot; everything else stays on demand. Each part keeps apart the cost that moves with users (the lines
that scale with users) from the cost that does not (fixed lines, stored data), because only the first follows
the simulated user growth.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from infra_mind.agents.tco import CostSeries
from infra_mind.domain.growth import HORIZON_MONTHS
from infra_mind.domain.pricing import BomLine, ProviderQuote, ScalesWith, Site
from infra_mind.domain.workloads import Batch, DataProcessing, MlTraining, Workload
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.commitments import CommitmentCatalog, CommitmentDiscount, SpotDiscount
from infra_mind.knowledge.models import InstanceCategory, Provider

Array = NDArray[np.float64]
Role = Literal["commit", "spot", "rest"]


@dataclass(frozen=True)
class Part:
    """Lines that share one purchase option: their on-demand cost in each month of the horizon."""

    role: Role
    users_usd: Array
    other_usd: Array
    record: CommitmentDiscount | SpotDiscount | None = None
    workload: str | None = None
    instances: tuple[str, ...] = ()
    lines: tuple[BomLine, ...] = field(default=(), repr=False)
    """The part's month-0 lines (evidence)."""

    @property
    def monthly_usd(self) -> Array:
        return self.users_usd + self.other_usd

    @property
    def baseline_usd(self) -> float:
        return float(self.monthly_usd[0])

    def usage(self, noise: Array) -> Array:
        """Cost per run and month when users follow `noise` (runs × months) around the projection."""
        return self.users_usd * noise + self.other_usd


@dataclass(frozen=True)
class Backbone:
    provider: str
    quote: ProviderQuote
    commit: list[Part]
    spot: list[Part]
    rest: Part
    gpu_usd: Array
    uncovered: list[str]
    priced: dict[int, ProviderQuote]
    """The plan re-priced at each month of the horizon it was priced at."""

    @property
    def monthly_usd(self) -> Array:
        return sum((p.monthly_usd for p in self.commit + self.spot), self.rest.monthly_usd)

    @property
    def total_usd(self) -> float:
        return float(self.monthly_usd.sum())


def scheduled(w: Workload) -> bool:
    """Runs as jobs, not around the clock: never a commitment candidate."""
    return isinstance(w, Batch | MlTraining) or (isinstance(w, DataProcessing) and not w.streaming)


def interruptible(w: Workload) -> bool:
    """Can be stopped and resumed: batch jobs flagged so, training runs, non-streaming processing."""
    if isinstance(w, Batch):
        return w.interruptible
    return isinstance(w, MlTraining) or (isinstance(w, DataProcessing) and not w.streaming)


def build_backbone(
    series: CostSeries,
    workloads: list[Workload],
    knowledge: Knowledge,
    catalog: CommitmentCatalog,
    months: int = HORIZON_MONTHS,
) -> Backbone:
    by_name = {w.name: w for w in workloads}
    provider = Provider(series.provider)
    priced = sorted(series.priced)
    keys: dict[tuple[Role, int, str | None], CommitmentDiscount | SpotDiscount | None] = {}
    sums: dict[tuple[Role, int, str | None], dict[int, list[float]]] = defaultdict(
        lambda: {m: [0.0, 0.0] for m in priced}
    )
    labels: dict[tuple[Role, int, str | None], list[str]] = defaultdict(list)
    evidence: dict[tuple[Role, int, str | None], list[BomLine]] = defaultdict(list)
    gpu = dict.fromkeys(priced, 0.0)
    uncovered: list[str] = []
    for month in priced:
        for line in series.priced[month].lines:
            instance = knowledge.instance(provider, line.sku) if line.kind == "compute" else None
            role = _role(line, by_name) if instance else "rest"
            record: CommitmentDiscount | SpotDiscount | None = None
            if instance and role == "commit":
                record = catalog.commitment(provider, instance.family, instance.category)
            elif instance and role == "spot":
                record = catalog.spot(provider, instance.family, instance.category)
            label = f"{line.workload}: {line.sku}" + (" (DR)" if line.site is Site.DR else "")
            if role != "rest" and record is None:
                if label not in uncovered:
                    uncovered.append(label)
                role = "rest"
            key = (role, id(record), line.workload if role == "spot" else None)
            keys[key] = record
            users = line.scales_with is ScalesWith.USERS
            sums[key][month][0 if users else 1] += line.monthly_usd
            if role != "rest" and label not in labels[key]:
                labels[key].append(label)
            if month == 0:
                evidence[key].append(line)
            if instance and instance.category is InstanceCategory.GPU:
                gpu[month] += line.monthly_usd
    parts = [
        Part(
            role=key[0],
            users_usd=_interpolate({m: v[0] for m, v in sums[key].items()}, months),
            other_usd=_interpolate({m: v[1] for m, v in sums[key].items()}, months),
            record=keys[key],
            workload=key[2],
            instances=tuple(labels[key]),
            lines=tuple(evidence[key]),
        )
        for key in keys
    ]
    rest = [p for p in parts if p.role == "rest"]
    zero = np.zeros(months)
    return Backbone(
        provider=series.provider,
        quote=series.priced[0],
        commit=[p for p in parts if p.role == "commit"],
        spot=[p for p in parts if p.role == "spot"],
        rest=Part(
            "rest",
            sum((p.users_usd for p in rest), zero),
            sum((p.other_usd for p in rest), zero),
            lines=tuple(line for p in rest for line in p.lines),
        ),
        gpu_usd=_interpolate(gpu, months),
        uncovered=uncovered,
        priced=dict(series.priced),
    )


def _role(line: BomLine, workloads: dict[str, Workload]) -> Role:
    w = workloads.get(line.workload or "")
    if w is None:
        return "rest"
    if scheduled(w):
        return "spot" if interruptible(w) and line.site is Site.PRIMARY else "rest"
    return "commit"


def _interpolate(points: dict[int, float], months: int) -> Array:
    """Linear between the priced months, as agents.tco.interpolate does for the totals."""
    known = sorted(points)
    return np.interp(np.arange(months), known, [points[m] for m in known])
