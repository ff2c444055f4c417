"""Industry norms the research agent compares a company against: spend, team ratios, architecture.

Each record is one published figure (or a stated assumption) for one metric in one segment of companies,
with its source and publication date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from infra_mind.domain.requirements import CompanySize, Industry
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import Sourced


class Metric(StrEnum):
    CLOUD_SPEND_SHARE_OF_REVENUE = "cloud_spend_share_of_revenue"
    CLOUD_SHARE_OF_COST_OF_REVENUE = "cloud_share_of_cost_of_revenue"
    ENGINEERS_PER_DEVOPS = "engineers_per_devops"
    DATA_ENGINEERS_PER_ML_ENGINEER = "data_engineers_per_ml_engineer"
    KUBERNETES_PRODUCTION_SHARE = "kubernetes_production_share"
    MULTI_CLOUD_SHARE = "multi_cloud_share"
    SERVERLESS_SHARE = "serverless_share"


PRACTICES = frozenset({Metric.KUBERNETES_PRODUCTION_SHARE, Metric.MULTI_CLOUD_SHARE, Metric.SERVERLESS_SHARE})
"""Metrics whose norm is the share of companies that follow a practice."""
BANDED = frozenset(
    {
        Metric.CLOUD_SPEND_SHARE_OF_REVENUE,
        Metric.ENGINEERS_PER_DEVOPS,
        Metric.DATA_ENGINEERS_PER_ML_ENGINEER,
    }
)
"""Metrics a company's figure is compared with through the norm's band."""


class Statistic(StrEnum):
    """What `value` is."""

    MEAN = "mean"
    MEDIAN = "median"
    SHARE = "share"
    """The share of companies in the segment that follow a practice."""
    LOWER_BOUND = "lower_bound"
    """The source says "over" this share."""
    DERIVED = "derived"
    """Computed from published figures; `estimate` says how."""


class Band(StrEnum):
    """What `low`–`high` is."""

    INTERQUARTILE = "interquartile"
    STATED_RANGE = "stated_range"
    """A typical range the source states."""
    ASSUMED_RANGE = "assumed_range"
    """A range Infra Mind assumes around a point figure; `estimate` says how."""


class Benchmark(Sourced):
    key: str = Field(pattern=r"^[a-z_]+:[a-z0-9_]+$", description="<metric>:<segment id>")
    metric: Metric
    segment: str = Field(description="the companies the figure describes, in words")
    sizes: tuple[CompanySize, ...] = Field(default=(), description="company sizes it applies to; empty = any")
    industries: tuple[Industry, ...] = Field(default=(), description="industries it applies to; empty = any")
    excluded_industries: tuple[Industry, ...] = ()
    min_employees: int | None = Field(default=None, ge=1)
    max_employees: int | None = Field(default=None, ge=1)
    unit: str
    value: float | None = Field(default=None, ge=0)
    statistic: Statistic | None = None
    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    band: Band | None = None
    sample: str = Field(min_length=3, description="who was surveyed or measured, and when")
    notes: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Benchmark:
        if (self.value is None) != (self.statistic is None):
            raise ValueError(f"{self.key}: value and statistic go together")
        if (self.low is None) != (self.high is None) or (self.low is None) != (self.band is None):
            raise ValueError(f"{self.key}: low, high and band go together")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"{self.key}: low is above high")
        if self.value is None and self.low is None:
            raise ValueError(f"{self.key}: a record needs a value or a band")
        if self.metric in PRACTICES and self.statistic not in (Statistic.SHARE, Statistic.LOWER_BOUND):
            raise ValueError(f"{self.key}: a practice norm is a share of companies")
        if self.metric in BANDED and self.band is None:
            raise ValueError(f"{self.key}: {self.metric.value} is compared through a band")
        derived = self.statistic is Statistic.DERIVED or self.band is Band.ASSUMED_RANGE
        if derived and not self.estimate:
            raise ValueError(f"{self.key}: a derived value or an assumed band needs `estimate`")
        return self

    def applies(self, size: CompanySize, industry: Industry, employees: int | None) -> bool:
        if self.sizes and size not in self.sizes:
            return False
        if (self.industries and industry not in self.industries) or industry in self.excluded_industries:
            return False
        if employees is None:
            return True
        return (self.min_employees is None or employees >= self.min_employees) and (
            self.max_employees is None or employees <= self.max_employees
        )

    @property
    def specificity(self) -> int:
        return 2 * bool(self.industries) + bool(self.sizes) + bool(self.excluded_industries)

    def norm_text(self) -> str:
        """The norm in words, e.g. "6–12 % of revenue (stated range); mean 10 % of revenue"."""
        parts = []
        if self.low is not None and self.high is not None and self.band is not None:
            parts.append(f"{self.low:g}–{self.high:g} {self.unit} ({self.band.value.replace('_', ' ')})")
        if self.value is not None and self.statistic is not None:
            over = "over " if self.statistic is Statistic.LOWER_BOUND else ""
            what = self.statistic.value.replace("_", " ")
            figure = f"{over}{self.value:g} {self.unit}"
            parts.append(f"{what} {figure}" if parts else f"{figure} ({what})")
        return "; ".join(parts)


class BenchmarkCatalog:
    """Immutable after construction; finds the most specific norm for a company's segment."""

    def __init__(self, records: Iterable[Benchmark] = ()) -> None:
        self._records = tuple(records)
        keys = [r.key for r in self._records]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise CatalogInvalid(f"duplicate benchmark keys: {', '.join(duplicates)}")

    @classmethod
    def load(cls, data_dir: Path) -> BenchmarkCatalog:
        path = data_dir / "benchmarks.json"
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            return cls(Benchmark.model_validate(rec) for rec in raw["records"])
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
        except (KeyError, TypeError, ValidationError) as exc:
            raise CatalogInvalid(f"catalog {path} does not match Benchmark: {exc}") from exc

    def records(self) -> list[Benchmark]:
        return list(self._records)

    def norm(
        self, metric: Metric, size: CompanySize, industry: Industry, employees: int | None
    ) -> Benchmark | None:
        """The most specific record of `metric` that applies; the newest wins a tie."""
        matches = [r for r in self._records if r.metric is metric and r.applies(size, industry, employees)]
        return max(matches, key=lambda r: (r.specificity, r.as_of, r.key), default=None)
