"""How a figure stands against a norm: inside or outside its band, or with the majority or a minority."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.evidence import record_evidence
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.research import Area, Basis, BenchmarkComparison, Standing
from infra_mind.domain.requirements import AssessmentInput, CompanySize, GrowthStage, Industry
from infra_mind.knowledge.benchmarks import Benchmark, BenchmarkCatalog, Metric, Statistic

OUTLIER_MINORITY_PCT = 25.0
"""A practice shared by fewer than this share of peers marks the company as an outlier."""

METHOD = (
    "A figure is an outlier when it falls outside the norm's band (interquartile, stated or assumed range, "
    "as each norm says). A practice is an outlier when fewer than "
    f"{OUTLIER_MINORITY_PCT:g} % of the norm's segment share it. Norms are picked for the company's size, "
    "industry and headcount; where none applies, the comparison is listed as not made, with the reason."
)


@dataclass(frozen=True)
class Compared:
    """A comparison with the evidence behind it."""

    comparison: BenchmarkComparison
    evidence: list[Evidence]

    @property
    def outlier(self) -> bool:
        return self.comparison.outlier


def norm_evidence(norm: Benchmark) -> Evidence:
    detail = f"{norm.segment}: {norm.norm_text()} ({norm.sample})"
    if norm.estimate:
        detail += f" [estimate: {norm.estimate}]"
    return record_evidence(norm, EvidenceKind.CATALOG_RECORD, f"benchmark:{norm.key}", detail)


def usd(amount: float) -> str:
    """Dollars with cents, or with four decimals below one dollar (per-user figures)."""
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:,.4f}"


def band_standing(value: float, low: float, high: float) -> Standing:
    if value < low:
        return "below"
    return "above" if value > high else "within"


@dataclass(frozen=True)
class PracticeStanding:
    standing: Standing
    outlier: bool
    peers: str
    """The share of peers that do what the company does, in words."""


def practice_standing(norm: Benchmark, follows: bool) -> PracticeStanding:
    """Whether the company's choice is the majority's, from the share of peers that follow the practice."""
    if norm.value is None:
        raise ValueError(f"{norm.key} has no share to compare a practice with")
    share = norm.value
    if norm.statistic is Statistic.LOWER_BOUND:
        if follows:
            return PracticeStanding("majority", False, f"over {share:g} %")
        return PracticeStanding("minority", False, f"under {100 - share:g} %")
    peers = share if follows else 100 - share
    return PracticeStanding(
        "majority" if peers > 50 else "minority", peers < OUTLIER_MINORITY_PCT, f"{peers:g} %"
    )


def comparison(
    norm: Benchmark,
    *,
    metric: str,
    area: Area,
    basis: Basis,
    label: str,
    value: float | None,
    unit: str,
    company: str,
    standing: Standing,
    outlier: bool,
    detail: str,
    low: float | None = None,
    high: float | None = None,
    norm_text: str | None = None,
    estimate: str | None = None,
    lower_bound: bool = False,
) -> BenchmarkComparison:
    return BenchmarkComparison(
        metric=metric,
        area=area,
        basis=basis,
        label=label,
        value=None if value is None else round(value, 4),
        lower_bound=lower_bound,
        unit=unit,
        company=company,
        norm_key=norm.key,
        norm=norm_text or norm.norm_text(),
        segment=norm.segment,
        low=low if low is not None else norm.low,
        high=high if high is not None else norm.high,
        standing=standing,
        outlier=outlier,
        detail=detail,
        source=norm.source,
        as_of=norm.as_of,
        estimate=estimate or norm.estimate,
    )


@dataclass(frozen=True)
class Segment:
    """The company as the norms segment it: size, industry, stage and headcount."""

    size: CompanySize
    industry: Industry
    stage: GrowthStage
    employees: int | None

    @classmethod
    def of(cls, spec: AssessmentInput) -> Segment:
        company = spec.company
        return cls(company.size, company.industry, company.growth_stage, company.employees)

    def words(self) -> str:
        people = f", {self.employees:,} employees" if self.employees else ""
        return f"{self.size.value} {self.industry.value} company at the {self.stage.value} stage{people}"

    def norm(self, catalog: BenchmarkCatalog, metric: Metric) -> Benchmark | None:
        return catalog.norm(metric, self.size, self.industry, self.employees)

    def norms(self, catalog: BenchmarkCatalog, metric: Metric) -> list[Benchmark]:
        return [
            r
            for r in catalog.records()
            if r.metric is metric and r.applies(self.size, self.industry, self.employees)
        ]
