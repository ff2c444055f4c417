"""What the ai_consultant recommends: the best-fitting use cases to pilot and how to host each LLM workload.
Nothing AI-specific when the company has no AI workloads and no AI maturity."""

from __future__ import annotations

from infra_mind.agents.ai_consultant.analysis import Analysis
from infra_mind.agents.ai_consultant.evidence import (
    FIT_RULE_SOURCE,
    break_even_evidence,
    instance_evidence,
    rule_evidence,
    stated_rule_evidence,
    token_price_evidence,
    use_case_evidence,
)
from infra_mind.agents.ai_consultant.findings import TOP_USE_CASES
from infra_mind.agents.ai_consultant.fit import RULE as FIT_RULE
from infra_mind.agents.ai_consultant.hosting import best_self_hosted
from infra_mind.agents.evidence import Recommender, input_evidence
from infra_mind.agents.products import PRODUCTS
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, Priority, Recommendation
from infra_mind.domain.outputs.ai_consultant import LlmHostingComparison, UseCaseFit
from infra_mind.knowledge.catalog import Knowledge

HIGH_FIT = 5
"""A use case for the industry in the category of an urgent goal (3 + 2), or a better fit."""
MATERIAL_SHARE_OF_BUDGET = 0.05
"""A hosting choice that saves this share of the monthly budget or more is high priority."""
_EFFORT_BY_BAND = {"advanced": 2, "ready": 2, "developing": 3, "early": 4}


def recommendations(a: Analysis, knowledge: Knowledge, agent: str) -> list[Recommendation]:
    if not a.engaged:
        return []
    rec = Recommender(knowledge, agent)
    recs = [_use_case(a, rec, fit) for fit in a.fits[:TOP_USE_CASES]]
    recs += [r for c in a.hosting if (r := _hosting(a, rec, c)) is not None]
    return recs


def _use_case(a: Analysis, rec: Recommender, fit: UseCaseFit) -> Recommendation:
    r = a.readiness
    effort = min(5, _EFFORT_BY_BAND[r.band] + (1 if fit.sensitive_data else 0))
    actions = [
        f"Confirm the data exists and may be used for it: {'; '.join(fit.data_needed)}",
        "Measure today's baseline of the metric the evidence reports, then run a time-boxed pilot against it",
    ]
    if fit.sensitive_data:
        actions.insert(
            0,
            f"Classify and de-identify the {', '.join(fit.sensitive_data)} data it needs and record its "
            "permitted AI use before the pilot",
        )
    if r.band == "early" and r.gaps:
        actions.insert(0, f"Close the readiness gap first: {r.gaps[0]}")
    industry = a.ctx.requirements.company.industry.value
    return rec.make(
        f"ai:use_case:{fit.id}",
        f"Prioritise {_lower_first(fit.title)} (already on the AI plan)"
        if fit.already_planned
        else f"Pilot {_lower_first(fit.title)}",
        category="ai_ml",
        pillar=Pillar.OPERATIONAL_EXCELLENCE,
        priority=Priority.HIGH if fit.score >= HIGH_FIT else Priority.MEDIUM,
        impact=4 if fit.evidence else 3,
        effort=effort,
        confidence=0.6 if fit.evidence else 0.45,
        rationale=f"{fit.value}. "
        + (f"Evidence: {fit.evidence}. " if fit.evidence else "")
        + f"Fit {fit.score}: {'; '.join(fit.reasons)}. AI readiness {r.score}/100 ({r.band}).",
        actions=actions,
        evidence=[
            use_case_evidence(fit),
            input_evidence("company.industry", industry),
            stated_rule_evidence("rule:use_case_fit_v1", FIT_RULE, FIT_RULE_SOURCE),
        ],
        best_practices=("SEC07-BP01",) if fit.sensitive_data else (),
        risk=None if fit.sensitive_data else Level.LOW,
    )


def _hosting(a: Analysis, rec: Recommender, c: LlmHostingComparison) -> Recommendation | None:
    if c.choice == "undetermined" or c.choice_monthly_usd is None or a.site is None:
        return None
    cloud, region = a.site.provider, a.site.region
    products = PRODUCTS[cloud]
    managed = c.choice == "managed_api"
    reference = next((m for m in c.managed if m.model == c.reference_model), None)
    best_self = best_self_hosted(c)
    other = (
        (best_self.monthly_usd if best_self else None)
        if managed
        else (reference.monthly_usd if reference else None)
    )
    saving = max(0.0, other - c.choice_monthly_usd) if other is not None else 0.0
    material = saving >= MATERIAL_SHARE_OF_BUDGET * a.ctx.requirements.budget.monthly_limit_usd
    against_input = c.hosting not in ("either", c.choice)
    evidence: list[Evidence] = []
    if reference:
        evidence.append(token_price_evidence(reference, c.requests_per_day, a.days_per_month or 0))
    if best_self and (e := instance_evidence(best_self, region, cloud.value)) is not None:
        evidence.append(e)
    evidence += break_even_evidence(c)
    evidence += [rule_evidence(r) for key in _HOSTING_RULES if (r := a.catalog.rule(key)) is not None]
    if managed:
        assert reference is not None
        title = f"Serve {c.workload} through {reference.name}: ${reference.monthly_usd:,.0f}/month"
        if c.model_size_b_params is None:
            title = f"Keep {c.workload} on a managed LLM API ({products.llm_api}): {_price_range(c)}"
        actions = [
            f"Call {reference.name} through {products.llm_api} from the application in {region}",
            f"Alert on token spend above ${reference.monthly_usd * 1.2:,.0f}/month (20 % over this estimate)",
        ]
        practices: tuple[str, ...] = ("COST05-BP05", "SUS05-BP03")
        services = [products.llm_api]
    else:
        assert best_self is not None
        title = (
            f"Self-host {best_self.model} for {c.workload} on {best_self.replicas} × "
            f"{best_self.instance_sku}: ${best_self.monthly_usd:,.0f}/month"
        )
        actions = [
            f"Serve {best_self.model} with a continuous-batching inference server on "
            f"{best_self.instance_sku} in {region}",
            f"Load-test with real prompts to confirm {best_self.replica_capacity_requests_per_day:,.0f} "
            "requests/day per replica before buying capacity",
            "Compare int8 or int4 weights against 16-bit on your own evaluation set before using them",
        ]
        practices = ("COST06-BP02", "SUS05-BP01", "PERF02-BP01")
        services = [products.gpu]
    in_plan = c.monthly_cost_in_plan
    return rec.make(
        f"llm:hosting:{c.workload}",
        title,
        category="ai_ml",
        pillar=Pillar.COST,
        priority=Priority.HIGH if material else Priority.MEDIUM,
        impact=4 if material else 3,
        effort=3 if against_input else 2,
        confidence=0.7 if c.like_for_like and not against_input else 0.5,
        rationale=f"{c.reason}."
        + (f" Saves ${saving:,.0f}/month against the alternative." if saving else "")
        + _unknown_model(c)
        + _caveat(c, against_input),
        actions=[*actions, _revisit(c)],
        evidence=evidence,
        best_practices=practices,
        monthly_cost_delta=None
        if not managed and in_plan is not None
        else c.choice_monthly_usd - (in_plan or 0),
        monthly_cost_in_plan=in_plan,
        provider=cloud.value,
        services=services,
        regions=[region],
    )


def _lower_first(title: str) -> str:
    """'Ambient clinical …' → 'ambient clinical …', but 'AI pair …' stays."""
    return title[0].lower() + title[1:] if title[1:2].islower() else title


def _price_range(c: LlmHostingComparison) -> str:
    costs = sorted(m.monthly_usd for m in c.managed)
    return f"${costs[0]:,.0f} to ${costs[-1]:,.0f}/month across {len(costs)} models at this volume"


def _caveat(c: LlmHostingComparison, against_input: bool) -> str:
    if not against_input:
        return ""
    if c.hosting == "self_hosted":
        return (
            " The input asks to self-host: if the model is fine-tuned, the base model's token price does not "
            "apply; price the provider's custom-model hosting before switching."
        )
    return " The input asks for a managed API; self-hosting adds running the model on GPUs."


def _unknown_model(c: LlmHostingComparison) -> str:
    if c.model_size_b_params is not None or not c.like_for_like:
        return ""
    return (
        " The input names no model size, so self-hosting is sized for the catalogued open-weights models and "
        "weighed against the same model as a managed API; the managed models priced here cost "
        f"{_price_range(c)}."
    )


def _revisit(c: LlmHostingComparison) -> str:
    volumes = [b.requests_per_day for b in c.break_even if b.like_for_like and b.requests_per_day is not None]
    if not volumes:
        return "Re-run this comparison when token or GPU prices change"
    if c.choice == "managed_api":
        return f"Re-run this comparison when volume passes {min(volumes):,.0f} requests/day (break-even)"
    return (
        f"Re-check the managed API if volume falls below {min(volumes):,.0f} requests/day, where "
        "self-hosting stops being cheaper throughout"
    )


_HOSTING_RULES = ("llm_days_per_month", "gpu_memory_utilization", "llm_decode_tokens_per_s_per_sequence")
