"""Helpers that turn catalog records and inputs into evidence and recommendations."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.sizing import SizingRule


def line_evidence(line: BomLine) -> Evidence:
    detail = (
        f"{line.component}: {line.quantity:g} {line.unit} × ${line.unit_price_usd:g} = "
        f"${line.monthly_usd:,.2f}/month ({line.assumption})"
    )
    if line.estimate:
        detail += f" [estimate: {line.estimate}]"
    return Evidence(
        kind=EvidenceKind.CATALOG_PRICE,
        ref=f"{line.provider}:{line.sku}@{line.region}",
        detail=detail,
        source=line.source,
        as_of=line.as_of,
    )


class SourcedRecord(Protocol):
    @property
    def source(self) -> str | None: ...

    @property
    def as_of(self) -> date | None: ...


def record_evidence(record: SourcedRecord, kind: EvidenceKind, ref: str, detail: str) -> Evidence:
    return Evidence(kind=kind, ref=ref, detail=detail, source=record.source, as_of=record.as_of)


def sizing_evidence(rule: SizingRule) -> Evidence:
    return record_evidence(
        rule, EvidenceKind.ASSUMPTION, f"sizing:{rule.key}", f"{rule.value:g} {rule.unit}: {rule.rationale}"
    )


def quote_evidence(quote: ProviderQuote) -> Evidence:
    oldest = min((line.as_of for line in quote.lines), default=None)
    missing = f"; {len(quote.missing)} line(s) without a price" if quote.missing else ""
    return Evidence(
        kind=EvidenceKind.DERIVED,
        ref=f"quote:{quote.provider}@{quote.region}",
        detail=f"{len(quote.lines)} priced lines sum to ${quote.monthly_usd:,.2f}/month{missing}",
        as_of=oldest,
    )


def input_evidence(path: str, value: object) -> Evidence:
    return Evidence(kind=EvidenceKind.INPUT, ref=path, detail=f"{path} = {value}")


class Recommender:
    """Builds recommendations tagged with Well-Architected best practices from the catalog."""

    def __init__(self, knowledge: Knowledge, agent: str) -> None:
        self._k = knowledge
        self._agent = agent
        self._count = 0

    def make(
        self,
        key: str,
        title: str,
        *,
        category: str,
        pillar: Pillar,
        priority: Priority,
        impact: int,
        effort: int,
        confidence: float,
        rationale: str,
        actions: list[str],
        evidence: list[Evidence] | None = None,
        best_practices: tuple[str, ...] = (),
        risk: Level | None = None,
        monthly_cost_delta: float | None = None,
        monthly_cost_in_plan: float | None = None,
        provider: str | None = None,
        services: list[str] | None = None,
        regions: list[str] | None = None,
        conflicts_with: list[str] | None = None,
    ) -> Recommendation:
        self._count += 1
        practices = [bp for bp_id in best_practices if (bp := self._k.best_practice(bp_id)) is not None]
        all_evidence = list(evidence or [])
        all_evidence += [
            Evidence(
                kind=EvidenceKind.BEST_PRACTICE, ref=bp.id, detail=bp.title, source=bp.url, as_of=bp.as_of
            )
            for bp in practices
        ]
        return Recommendation(
            id=f"{self._agent}-{self._count}",
            key=key,
            title=title,
            category=category,
            pillar=pillar,
            priority=priority,
            risk=risk or _highest([bp.risk for bp in practices]) or Level.MEDIUM,
            impact=impact,
            effort=effort,
            confidence=confidence,
            rationale=rationale,
            actions=actions,
            agents=[self._agent],
            evidence=all_evidence,
            best_practices=[bp.id for bp in practices],
            monthly_cost_delta=None if monthly_cost_delta is None else round(monthly_cost_delta, 2),
            monthly_cost_in_plan=None if monthly_cost_in_plan is None else round(monthly_cost_in_plan, 2),
            provider=provider,
            services=services or [],
            regions=regions or [],
            conflicts_with=conflicts_with or [],
        )


def _highest(levels: list[Level]) -> Level | None:
    order = [Level.HIGH, Level.MEDIUM, Level.LOW]
    return min(levels, key=order.index, default=None)
