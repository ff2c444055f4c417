"""cloud_engineer: service selection per workload and a like-for-like bill of materials on each provider."""

from __future__ import annotations

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.budget import monthly_check
from infra_mind.agents.common_recommendations import cdn_recommendation, gpu_recommendation
from infra_mind.agents.evidence import Recommender, input_evidence, line_evidence, quote_evidence
from infra_mind.agents.plan import PricedPlan, priced_plan
from infra_mind.agents.products import PRODUCTS
from infra_mind.agents.service_choice import service_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Pillar
from infra_mind.domain.findings import Finding, Priority, Recommendation, Severity
from infra_mind.domain.outputs import CloudEngineerOutput
from infra_mind.domain.outputs.cloud import ProviderComparison, ServiceChoice
from infra_mind.domain.pricing import Assumption, ProviderQuote
from infra_mind.domain.workloads import Workload
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider


class CloudEngineerAgent(Agent):
    name = "cloud_engineer"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        plan = priced_plan(ctx, self._k)
        await progress(60, f"priced {len(plan.quotes)} providers")
        provider = Provider(plan.provider) if plan.provider else None
        choices = [self._choice(ctx, w, provider) for w in ctx.requirements.workloads] if provider else []
        chosen = plan.chosen
        comparison = plan.comparison
        output = CloudEngineerOutput(
            service_choices=choices,
            quotes=plan.quotes,
            assumptions=self._assumptions(),
            recommended_provider=plan.provider,
            provider_reasons=plan.reasons,
            comparison=ProviderComparison(
                like_for_like=comparison.like_for_like,
                compared_usd=comparison.basis_usd,
                components=comparison.components,
                excluded=comparison.excluded,
                note=comparison.note(),
            ),
            budget=monthly_check(ctx, chosen) if chosen else None,
        )
        return AgentReport(
            summary=_summary(chosen),
            findings=self._findings(plan),
            output=output,
            recommendations=self._recommendations(ctx, plan, choices),
        )

    def _choice(self, ctx: AssessmentContext, w: Workload, provider: Provider) -> ServiceChoice:
        plan = service_plan(w, PRODUCTS[provider], ctx.requirements)
        return ServiceChoice(
            workload=w.name,
            workload_type=w.type,
            pattern=plan.pattern,
            services=plan.services,
            reason=plan.reason,
        )

    def _assumptions(self) -> list[Assumption]:
        keys = (
            "hours_per_month",
            "web_rps_per_vcpu",
            "api_rps_per_vcpu",
            "memory_gib_per_vcpu",
            "target_utilisation",
            "db_qps_per_vcpu",
            "inference_rps_per_gpu",
            "backup_copies",
            "cdn_offload",
            "nat_share_of_egress",
            "boot_volume_gb",
            "lb_gb_per_capacity_unit_hour",
            "db_min_storage_gb",
        )
        return [r.assumption() for r in map(self._k.sizing, keys)]

    def _findings(self, plan: PricedPlan) -> list[Finding]:
        findings = [
            Finding(
                id=f"quote-{q.provider}",
                title=f"{q.provider}: ${q.monthly_usd:,.2f}/month" + ("" if q.complete else " (lower bound)"),
                detail=f"{_parts(q)}; {len(q.lines)} priced lines, {len(q.missing)} without a price",
                evidence=[quote_evidence(q)],
            )
            for q in plan.quotes
        ]
        missing = [m for q in plan.quotes for m in q.missing]
        if missing:
            findings.append(
                Finding(
                    id="missing-prices",
                    title=f"{len(missing)} line(s) could not be priced",
                    severity=Severity.MEDIUM,
                    detail="; ".join(
                        f"{m.provider} {m.component}"
                        + (f" ({m.workload})" if m.workload else "")
                        + (f", {m.volume}" if m.volume else "")
                        + f": {m.reason}"
                        for m in missing
                    ),
                )
            )
        if not plan.comparison.like_for_like and len(plan.quotes) > 1:
            findings.append(
                Finding(
                    id="provider-comparison-basis",
                    title="Providers compared on the components every one of them prices",
                    severity=Severity.LOW,
                    detail=plan.comparison.note(),
                    evidence=[quote_evidence(q) for q in plan.quotes],
                )
            )
        chosen = plan.chosen
        for m in chosen.missing if chosen else []:
            if m.key.endswith(":database_write_capacity"):
                findings.append(
                    Finding(
                        id=f"db-write-capacity-{m.workload}",
                        title=f"{m.workload}: the write load does not fit the largest catalogued class",
                        severity=Severity.HIGH,
                        detail=m.reason,
                    )
                )
        estimates = [line for q in plan.quotes for line in q.lines if line.estimate]
        if estimates:
            findings.append(
                Finding(
                    id="estimated-prices",
                    title=f"{len(estimates)} price(s) are estimates",
                    severity=Severity.LOW,
                    detail="; ".join(f"{e.sku}@{e.region}: {e.estimate}" for e in estimates[:10]),
                    evidence=[line_evidence(e) for e in estimates[:10]],
                )
            )
        return findings

    def _recommendations(
        self, ctx: AssessmentContext, plan: PricedPlan, choices: list[ServiceChoice]
    ) -> list[Recommendation]:
        chosen = plan.chosen
        if chosen is None:
            return []
        rec = Recommender(self._k, self.name)
        others = [q for q in plan.quotes if q is not chosen]
        recs = [
            rec.make(
                f"provider:{chosen.provider}",
                f"Host the platform on {chosen.provider.upper()} in {chosen.region}",
                category="cloud_provider",
                pillar=Pillar.COST,
                priority=Priority.HIGH,
                impact=5,
                effort=3,
                confidence=0.8 if chosen.complete else 0.6,
                rationale="; ".join(plan.reasons)
                + ". "
                + "; ".join(
                    f"{q.provider}: ${q.monthly_usd:,.2f}/month ({_parts(q)})"
                    + ("" if q.complete else ", a lower bound")
                    for q in others
                ),
                actions=[
                    f"Open the {chosen.provider} organisation/landing zone in {chosen.region}",
                    "Deploy the bill of materials in the technical report",
                ],
                evidence=[quote_evidence(q) for q in plan.quotes],
                best_practices=("COST07-BP02", "PERF04-BP06"),
                monthly_cost_in_plan=chosen.monthly_usd,
                provider=chosen.provider,
                regions=[chosen.region] + ([chosen.dr.region] if chosen.dr and chosen.dr.region else []),
                services=sorted({line.service for line in chosen.lines}),
                conflicts_with=[f"provider:{q.provider}" for q in others],
            )
        ]
        platforms = {c.pattern: c for c in choices if c.workload_type in {"web_app", "api"}}
        for pattern, choice in platforms.items():
            lines = [line for line in chosen.primary_lines if line.workload == choice.workload]
            recs.append(
                rec.make(
                    f"platform:{'managed_kubernetes' if 'Kubernetes' in pattern else 'autoscaling_vms'}",
                    f"Run the web tier as {pattern} ({choice.services['compute']})",
                    category="compute",
                    pillar=Pillar.PERFORMANCE,
                    priority=Priority.HIGH,
                    impact=4,
                    effort=3,
                    confidence=0.75,
                    rationale=choice.reason,
                    actions=[
                        f"Provision {choice.services['compute']} in {chosen.region}",
                        "Containerise the services and deploy them through CI/CD",
                    ],
                    evidence=[line_evidence(line) for line in lines[:3]],
                    best_practices=("PERF02-BP01", "COST05-BP05"),
                    provider=chosen.provider,
                    services=list(choice.services.values()),
                    regions=[chosen.region],
                    monthly_cost_in_plan=sum(line.monthly_usd for line in lines),
                )
            )
        recs += self._workload_recs(rec, chosen, choices)
        recs.append(self._budget_rec(rec, ctx, chosen))
        return recs

    def _workload_recs(
        self, rec: Recommender, chosen: ProviderQuote, choices: list[ServiceChoice]
    ) -> list[Recommendation]:
        recs = []
        for choice in choices:
            lines = [line for line in chosen.primary_lines if line.workload == choice.workload]
            cost = sum(line.monthly_usd for line in lines) if lines else None
            evidence = [line_evidence(line) for line in lines[:4]]
            if choice.workload_type == "database":
                recs.append(
                    rec.make(
                        f"database:{choice.workload}",
                        f"Use {choice.services['database']} for {choice.workload}",
                        category="data",
                        pillar=Pillar.RELIABILITY,
                        priority=Priority.HIGH,
                        impact=4,
                        effort=2,
                        confidence=0.85,
                        rationale=choice.reason,
                        actions=[
                            "Enable automated backups and point-in-time recovery",
                            "Enable the standby in a second zone for production",
                        ],
                        evidence=evidence,
                        best_practices=("PERF03-BP01", "REL09-BP03", "SUS05-BP03"),
                        monthly_cost_in_plan=cost,
                        provider=chosen.provider,
                        services=list(choice.services.values()),
                        regions=[chosen.region],
                    )
                )
            elif (
                choice.workload_type in {"ml_inference", "ml_training"} and lines and "GPU" in choice.pattern
            ):
                recs.append(
                    gpu_recommendation(
                        rec,
                        choice.workload,
                        lines[0],
                        provider=chosen.provider,
                        region=chosen.region,
                        rationale=lines[0].assumption,
                        load_test="Load-test the model to confirm requests per GPU",
                        evidence=evidence,
                        monthly_cost_in_plan=cost,
                    )
                )
            elif choice.workload_type in {"ml_inference", "ml_training"} and lines:
                sku = lines[0].sku
                count = round(lines[0].quantity / self._k.sizing("hours_per_month").value)
                recs.append(
                    rec.make(
                        f"inference:{choice.workload}",
                        f"Serve {choice.workload} on {count} × {sku} CPU instances (no GPU)",
                        category="ai_ml",
                        pillar=Pillar.PERFORMANCE,
                        priority=Priority.MEDIUM,
                        impact=4,
                        effort=3,
                        confidence=0.7,
                        rationale=lines[0].assumption,
                        actions=[
                            f"Deploy the model server on {choice.services['compute']} in {chosen.region}",
                            "Load-test the model to confirm requests per vCPU",
                        ],
                        evidence=evidence,
                        best_practices=("PERF02-BP01", "SUS05-BP01"),
                        monthly_cost_in_plan=cost,
                        provider=chosen.provider,
                        services=[lines[0].service],
                        regions=[chosen.region],
                    )
                )
        cdn = next((line for line in chosen.primary_lines if line.kind == "cdn"), None)
        if cdn:
            recs.append(cdn_recommendation(rec, cdn))
        return recs

    def _budget_rec(self, rec: Recommender, ctx: AssessmentContext, chosen: ProviderQuote) -> Recommendation:
        check = monthly_check(ctx, chosen)
        budget = ctx.requirements.budget
        evidence = [
            quote_evidence(chosen),
            input_evidence("budget.monthly_limit_usd", budget.monthly_limit_usd),
            input_evidence("budget.flexibility", budget.flexibility.value),
        ]
        if check.status == "over_ceiling":
            least = "" if chosen.complete else "at least "
            return rec.make(
                "cost:budget_gap",
                f"Close a {least}${chosen.monthly_usd - check.limit_usd:,.0f}/month gap between the plan "
                "and the budget",
                category="cost",
                pillar=Pillar.COST,
                priority=Priority.CRITICAL,
                impact=5,
                effort=3,
                confidence=0.8,
                rationale=f"the plan ({_parts(chosen)}): {check.note}",
                actions=[
                    "Right-size from load-test data before buying capacity",
                    "Price 1- and 3-year commitments for the steady baseline",
                    "Run interruptible work on spot capacity",
                    "Revisit the uptime target per workload",
                ],
                evidence=evidence,
                best_practices=("COST01-BP03", "COST06-BP02", "COST07-BP01"),
                provider=chosen.provider,
            )
        return rec.make(
            "cost:budget_guardrails",
            "Set budget alerts and cost allocation tags from day one",
            category="cost",
            pillar=Pillar.COST,
            priority=Priority.HIGH if check.status == "over_limit" else Priority.MEDIUM,
            impact=3,
            effort=1,
            confidence=0.9,
            rationale=f"the plan ({_parts(chosen)}): {check.note}; alerts keep spend visible as usage grows",
            actions=[
                "Create monthly budgets with alerts at 80 % and 100 % of the limit",
                "Tag every resource with team, environment and workload",
            ]
            + ([] if chosen.complete else ["Price the unpriced items before committing the budget"]),
            evidence=evidence,
            best_practices=("COST01-BP03", "COST03-BP02"),
            provider=chosen.provider,
        )


def _parts(quote: ProviderQuote) -> str:
    """The quote's parts in words: primary region, and the DR footprint when there is one."""
    text = f"primary {quote.region} ${quote.primary_usd:,.2f}"
    dr = quote.dr
    if dr and dr.region:
        text += f" + {dr.strategy} DR in {dr.region} ${quote.dr_usd:,.2f}"
    elif dr:
        text += f"; {dr.strategy}: {dr.basis}"
    return text


def _summary(chosen: ProviderQuote | None) -> str:
    if chosen is None:
        return "No provider could be priced."
    bound = "" if chosen.complete else f"; {len(chosen.missing)} item(s) without a price, so a lower bound"
    return (
        f"Recommended {chosen.provider} at ${chosen.monthly_usd:,.2f}/month ({_parts(chosen)}; "
        f"{len(chosen.lines)} priced lines{bound})"
    )
