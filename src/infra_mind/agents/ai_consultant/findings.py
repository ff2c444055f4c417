"""What the ai_consultant found: readiness, fitting use cases, and the cost of each LLM workload."""

from __future__ import annotations

from infra_mind.agents.ai_consultant.analysis import Analysis
from infra_mind.agents.ai_consultant.evidence import (
    READINESS_RULE_SOURCE,
    architecture_evidence,
    break_even_evidence,
    instance_evidence,
    stated_rule_evidence,
    token_price_evidence,
    use_case_evidence,
)
from infra_mind.agents.evidence import input_evidence
from infra_mind.domain.findings import Evidence, Finding, Severity
from infra_mind.domain.outputs.ai_consultant import LlmHostingComparison, SelfHostedOption

TOP_USE_CASES = 3


def findings(a: Analysis) -> list[Finding]:
    found = [_readiness(a)]
    if not a.engaged:
        return found
    if a.fits:
        found.append(_use_cases(a))
    llm = a.llm_workloads
    if llm and a.site is None:
        found.append(
            Finding(
                id="llm-hosting-unpriced",
                title="LLM hosting not compared: no provider could be priced",
                severity=Severity.MEDIUM,
                detail="the plan has no provider, so no token or GPU price applies",
            )
        )
    elif llm and not a.hosting:
        found.append(
            Finding(
                id="llm-hosting-unpriced",
                title="LLM hosting not compared: the AI catalog is not loaded",
                severity=Severity.MEDIUM,
                detail="the serving rules and model architectures (knowledge/data/ai_use_cases.json) "
                "are missing",
            )
        )
    for c in a.hosting:
        found += _hosting(a, c)
    found += _budget(a)
    return found


def _readiness(a: Analysis) -> Finding:
    r = a.readiness
    spec = a.ctx.requirements
    parts = [f"{c.name} {c.points:g}/{c.max_points:g} ({'; '.join(c.basis)})" for c in r.components]
    detail = "; ".join(parts) + (f". Gaps: {'; '.join(r.gaps)}" if r.gaps else "")
    if not a.engaged:
        detail = (
            "No AI workloads in the input and AI maturity none: nothing AI-specific is recommended. " + detail
        )
    return Finding(
        id="ai-readiness",
        title=f"AI readiness {r.score}/100 ({r.band})",
        detail=detail,
        severity=Severity.MEDIUM if a.engaged and r.band == "early" else Severity.INFO,
        evidence=[
            input_evidence("team.ml_engineers", spec.team.ml_engineers),
            input_evidence("team.data_engineers", spec.team.data_engineers),
            input_evidence("team.cloud_expertise", spec.team.cloud_expertise),
            input_evidence("ai_ml.maturity", spec.ai_ml.maturity.value),
            input_evidence("security.data_classification", spec.security.data_classification.value),
            stated_rule_evidence("rule:ai_readiness_v1", r.rule, READINESS_RULE_SOURCE),
        ],
    )


def _use_cases(a: Analysis) -> Finding:
    industry = a.ctx.requirements.company.industry.value
    top = a.fits[:TOP_USE_CASES]
    return Finding(
        id="ai-use-cases",
        title=f"{len(a.fits)} catalogued AI use case(s) fit a {industry} company",
        detail="; ".join(
            f"{f.title} (fit {f.score}: {', '.join(f.reasons)})" + (f" — {f.evidence}" if f.evidence else "")
            for f in top
        ),
        evidence=[use_case_evidence(f) for f in top],
    )


def _hosting(a: Analysis, c: LlmHostingComparison) -> list[Finding]:
    assert a.site is not None
    days = a.days_per_month or 0
    cloud, region = a.site.provider.value, a.site.region
    managed = sorted(c.managed, key=lambda m: m.monthly_usd)
    priced = sorted((o for o in c.self_hosted if o.monthly_usd is not None), key=lambda o: o.monthly_usd or 0)
    parts = [
        f"{c.requests_per_day:,} requests/day = {c.input_tokens_per_month / 1e6:,.0f} million input and "
        f"{c.output_tokens_per_month / 1e6:,.0f} million output tokens/month"
    ]
    if managed:
        parts.append(
            "managed on " + cloud + ": " + ", ".join(f"{m.name} ${m.monthly_usd:,.2f}" for m in managed)
        )
    if priced:
        parts.append(
            f"self-hosted in {region}: "
            + ", ".join(
                f"{o.model} {o.precision} ${o.monthly_usd:,.2f} ({o.replicas} × {o.instance_sku})"
                for o in priced
            )
        )
    parts += [b.note for b in c.break_even if b.self_hosted.endswith("fp16")]
    if c.monthly_cost_in_plan is not None:
        parts.append(f"the priced plan already spends ${c.monthly_cost_in_plan:,.2f}/month on its GPUs")
    elif c.hosting != "self_hosted":
        parts.append("the priced plan lists these tokens without a price; the figures above price them")
    parts.append(f"choice: {c.choice.replace('_', ' ')} — {c.reason}")
    evidence: list[Evidence] = [token_price_evidence(m, c.requests_per_day, days) for m in managed]
    evidence += [e for o in priced[:3] if (e := instance_evidence(o, region, cloud)) is not None]
    evidence += [architecture_evidence(a.catalog, o) for o in _one_per_model(priced)]
    evidence += break_even_evidence(c)
    cheapest = managed[0].monthly_usd if managed else None
    lowest_self = priced[0].monthly_usd if priced else None
    title = f"{c.workload}: " + " vs ".join(
        part
        for part in (
            f"managed API from ${cheapest:,.0f}/month" if cheapest is not None else "",
            f"self-hosting from ${lowest_self:,.0f}/month" if lowest_self is not None else "",
        )
        if part
    )
    found = [Finding(id=f"llm-hosting-{c.workload}", title=title, detail="; ".join(parts), evidence=evidence)]
    unpriced = [o for o in c.self_hosted if o.monthly_usd is None]
    if unpriced and not priced:
        found.append(
            Finding(
                id=f"llm-self-hosting-unpriced-{c.workload}",
                title=f"{c.workload}: self-hosting cannot be priced in {region}",
                severity=Severity.MEDIUM,
                detail="; ".join(o.missing_reason or "" for o in unpriced[:3]),
            )
        )
    if not c.managed:
        found.append(
            Finding(
                id=f"llm-token-prices-missing-{c.workload}",
                title=f"{c.workload}: no managed token price for {cloud} in the price snapshot",
                severity=Severity.MEDIUM,
                detail=f"{a.catalog.llm_prices.snapshot}: no representative model priced for {cloud}",
            )
        )
    return found


def _one_per_model(options: list[SelfHostedOption]) -> list[SelfHostedOption]:
    seen: dict[str, SelfHostedOption] = {}
    for o in options:
        seen.setdefault(o.model, o)
    return list(seen.values())


def _budget(a: Analysis) -> list[Finding]:
    chosen = [c for c in a.hosting if c.choice_monthly_usd is not None]
    total = sum(c.choice_monthly_usd or 0 for c in chosen)
    limit = a.ctx.requirements.budget.monthly_limit_usd
    if not chosen or total <= limit:
        return []
    return [
        Finding(
            id="llm-over-budget",
            title=f"LLM serving alone (${total:,.0f}/month) exceeds the ${limit:,.0f} monthly budget",
            severity=Severity.HIGH,
            detail="; ".join(f"{c.workload}: ${c.choice_monthly_usd:,.2f} ({c.reason})" for c in chosen),
            evidence=[input_evidence("budget.monthly_limit_usd", limit)],
        )
    ]
