"""Evidence for the ai_consultant's figures: catalog records, token and instance prices, stated rules."""

from __future__ import annotations

from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.ai_consultant import (
    LlmHostingComparison,
    ManagedApiCost,
    SelfHostedOption,
    UseCaseFit,
)
from infra_mind.knowledge.ai_use_cases import AiCatalog
from infra_mind.knowledge.sizing import SizingRule

READINESS_RULE_SOURCE = "Infra Mind AI readiness model v1: engineering rule of thumb"
FIT_RULE_SOURCE = "Infra Mind use-case fit rule v1: engineering rule of thumb"


def use_case_evidence(fit: UseCaseFit) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CATALOG_RECORD,
        ref=f"ai_use_case:{fit.id}",
        detail=fit.evidence or f"{fit.value} (qualitative: the source gives no figure)",
        source=fit.source,
        as_of=fit.as_of,
    )


def token_price_evidence(m: ManagedApiCost, requests_per_day: int, days: float) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CATALOG_PRICE,
        ref=f"{m.cloud}:{m.model}",
        detail=f"{m.name}: ${m.input_usd_per_mtok:g} per million input tokens, "
        f"${m.output_usd_per_mtok:g} per million output tokens; ${m.usd_per_request:.6f} per request × "
        f"{requests_per_day:,} requests/day × {days:g} days = ${m.monthly_usd:,.2f}/month",
        source=m.source,
        as_of=m.as_of,
    )


def instance_evidence(o: SelfHostedOption, region: str, cloud: str) -> Evidence | None:
    if o.instance_sku is None or o.monthly_usd is None:
        return None
    return Evidence(
        kind=EvidenceKind.CATALOG_PRICE,
        ref=f"{cloud}:{o.instance_sku}@{region}",
        detail=f"{o.model} {o.precision}: {o.replicas} × {o.instance_sku} at "
        f"${o.instance_usd_per_hour:g}/h = ${o.monthly_usd:,.2f}/month; " + "; ".join(o.basis),
        source=o.price_source,
        as_of=o.price_as_of,
    )


def architecture_evidence(catalog: AiCatalog, o: SelfHostedOption) -> Evidence:
    published = next((m for m in catalog.open_models if m.name == o.model), None)
    return Evidence(
        kind=EvidenceKind.CATALOG_RECORD if published else EvidenceKind.DERIVED,
        ref=f"open_model:{o.model}",
        detail=o.architecture,
        source=published.source if published else None,
        as_of=published.as_of if published else None,
    )


def rule_evidence(rule: SizingRule) -> Evidence:
    return Evidence(
        kind=EvidenceKind.ASSUMPTION,
        ref=f"serving:{rule.key}",
        detail=f"{rule.value:g} {rule.unit}: {rule.rationale}",
        source=rule.source,
        as_of=rule.as_of,
    )


def break_even_evidence(c: LlmHostingComparison) -> list[Evidence]:
    return [
        Evidence(kind=EvidenceKind.DERIVED, ref=f"break_even:{c.workload}:{b.self_hosted}", detail=b.note)
        for b in c.break_even
    ]


def stated_rule_evidence(ref: str, rule: str, source: str) -> Evidence:
    return Evidence(kind=EvidenceKind.ASSUMPTION, ref=ref, detail=rule, source=source)
