"""The mlops findings: scope, training and serving sizing, cross-checks of the input, GPU review, platform."""

from __future__ import annotations

from infra_mind.agents.evidence import input_evidence, line_evidence, record_evidence
from infra_mind.agents.mlops.analysis import Analysis
from infra_mind.agents.mlops.sizing import RUNS_PER_MONTH, Training
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Severity
from infra_mind.domain.outputs.mlops import MlopsProduct, ServingSizing
from infra_mind.domain.workloads import LlmApplication, LlmHosting, MlTraining

MISMATCH_FACTOR = 1.5
"""Stated and modelled volumes within this factor of each other are taken to agree."""
SECONDS_PER_DAY = 86400


def not_applicable() -> Finding:
    return Finding(
        id="mlops-not-applicable",
        title="No AI/ML workloads: no ML platform, GPU sizing or model monitoring to plan",
        detail="the input lists no ml_training, ml_inference or llm_application workload and "
        "ai_ml.maturity is 'none'; nothing AI-specific is recommended",
        evidence=[input_evidence("ai_ml.maturity", "none")],
    )


def findings(a: Analysis) -> list[Finding]:
    out = [_scope(a)]
    out += [_training(t) for t in a.training]
    if a.unsized_training:
        out.append(
            Finding(
                id="training-not-sized",
                title="Training is implied by the input but not sized",
                severity=Severity.MEDIUM,
                detail=a.unsized_training,
                evidence=[
                    input_evidence(
                        "ai_ml.training_frequency", a.ctx.requirements.ai_ml.training_frequency.value
                    )
                ],
            )
        )
    out += _frequency(a)
    out += _volume(a)
    out += [_serving(s) for s in a.serving]
    out += [
        Finding(
            id=f"gpu-review-{r.workload}",
            title=f"{r.workload}: the plan's GPU choice needs a second look",
            severity=Severity.MEDIUM,
            detail=r.reason + (f"; alternative: {r.alternative}" if r.alternative else ""),
            evidence=[line_evidence(line) for line in r.lines[:2]],
        )
        for r in a.reviews
        if not r.agrees
    ]
    out += _platform(a)
    out += [_replaced(p) for p in a.products if p.needed and "in place of" in p.why]
    if a.unpriced_ml:
        out.append(
            Finding(
                id="mlops-unpriced",
                title=f"{len(a.unpriced_ml)} ML item(s) of the plan have no price",
                severity=Severity.HIGH,
                detail="; ".join(f"{m.component} ({m.workload}): {m.reason}" for m in a.unpriced_ml),
            )
        )
    return out


def _scope(a: Analysis) -> Finding:
    spec = a.ctx.requirements
    trained = [w.name for w in spec.workloads if isinstance(w, MlTraining)]
    served = [s.workload for s in a.serving]
    api = [
        w.name
        for w in spec.workloads
        if isinstance(w, LlmApplication) and w.hosting is not LlmHosting.SELF_HOSTED
    ]
    parts = [
        f"trained: {', '.join(trained) or 'none'}",
        f"served on the plan's instances: {', '.join(served) or 'none'}",
    ]
    if api:
        parts.append(f"through a managed LLM API (no serving to size here): {', '.join(api)}")
    return Finding(
        id="mlops-scope",
        title=f"ML scope: {len(trained)} trained, {len(served)} served, "
        f"AI maturity '{spec.ai_ml.maturity.value}'",
        detail="; ".join(parts),
        evidence=[
            input_evidence("ai_ml.maturity", spec.ai_ml.maturity.value),
            input_evidence("ai_ml.training_frequency", spec.ai_ml.training_frequency.value),
        ],
    )


def _training(t: Training) -> Finding:
    s = t.sizing
    cost = f"${s.monthly_usd:,.2f}/month" if s.monthly_usd is not None else "not priced"
    where = (
        f"{s.instances_per_run} × {s.instance_sku} ({s.gpu_model}) per run"
        if s.instance_sku
        else "no instance"
    )
    return Finding(
        id=f"training-{s.workload}",
        title=f"{s.workload}: {s.gpu_hours_per_month:,.0f} GPU-hours/month "
        f"({s.gpu_hours_per_month_24m:,.0f} at 24 months), {cost}"
        + ("" if s.in_plan else ", not in the priced plan"),
        severity=Severity.INFO if s.in_plan else Severity.MEDIUM,
        detail=f"{s.runs_per_month:g} runs/month × {s.gpu_hours_per_run:g} GPU-hours; "
        f"{s.gpus_per_run} GPU(s) holding "
        + (f"{s.gpu_memory_gib:g} GiB of training state" if s.gpu_memory_gib else "a model of unstated size")
        + f"; {where}; "
        f"data {s.data_size_gb:,.0f} GB → {s.data_size_gb_24m:,.0f} GB at 24 months; " + "; ".join(s.basis),
        evidence=[line_evidence(t.line)] if t.line else [],
    )


def _frequency(a: Analysis) -> list[Finding]:
    ai = a.ctx.requirements.ai_ml
    expected = RUNS_PER_MONTH.get(ai.training_frequency)
    stated = input_evidence("ai_ml.training_frequency", ai.training_frequency.value)
    out = []
    for t in (t for t in a.training if t.sizing.in_plan):
        runs = t.sizing.runs_per_month
        if expected is None:
            detail = f"{t.sizing.workload} runs {runs:g} times a month but ai_ml.training_frequency is 'none'"
        elif max(runs / expected, expected / runs) > MISMATCH_FACTOR:
            detail = (
                f"{t.sizing.workload} runs {runs:g} times a month; ai_ml.training_frequency "
                f"'{ai.training_frequency.value}' means {expected:.3g}: the workload's figure is the one "
                "priced"
            )
        else:
            continue
        out.append(
            Finding(
                id=f"training-frequency-{t.sizing.workload}",
                title=f"{t.sizing.workload}: training runs disagree with ai_ml.training_frequency",
                severity=Severity.LOW,
                detail=detail,
                evidence=[stated, input_evidence(f"workloads[{t.sizing.workload}].runs_per_month", runs)],
            )
        )
    return out


def _volume(a: Analysis) -> list[Finding]:
    stated = a.ctx.requirements.ai_ml.inference_requests_per_day
    models = [d for d in a.ctx.profile.demands if d.type in {"ml_inference", "llm_application"}]
    modelled = sum(d.average_rps for d in models) * SECONDS_PER_DAY
    if not stated or not models or max(stated / modelled, modelled / stated) <= MISMATCH_FACTOR:
        return []
    return [
        Finding(
            id="inference-volume",
            title="ai_ml.inference_requests_per_day disagrees with the ML workloads",
            severity=Severity.LOW,
            detail=f"{stated:,} inference requests/day stated, {modelled:,.0f} carried by the workloads "
            f"({', '.join(d.name for d in models)}); serving is sized from the workloads, so "
            + (
                "a model that takes the rest is missing from the input"
                if stated > modelled
                else "the stated figure is low"
            ),
            evidence=[input_evidence("ai_ml.inference_requests_per_day", stated)],
        )
    ]


def _serving(s: ServingSizing) -> Finding:
    if s.hardware == "gpu":
        what = (
            f"{s.replicas} replica(s) × {s.gpus_per_replica} GPU ({s.gpu_memory_gib:g} GiB each replica) on "
            f"{s.instance_count} × {s.instance_sku or 'no priced instance'}"
        )
    else:
        what = (
            f"{s.vcpu:g} vCPU at peak on {s.instance_count} × {s.instance_sku or 'no priced instance'} (CPU)"
        )
    load = f"{s.peak_tokens_per_s:,.0f} tokens/s" if s.peak_tokens_per_s else f"{s.peak_rps:g} req/s"
    cost = f"${s.monthly_usd:,.2f}/month" if s.monthly_usd is not None else "not priced"
    tight = s.latency_within_rule is False
    return Finding(
        id=f"serving-{s.workload}",
        title=f"{s.workload}: {what}, {cost}",
        severity=Severity.MEDIUM if tight else Severity.INFO,
        detail=f"peak {load}; {s.latency_note}; " + "; ".join(s.basis),
    )


def _platform(a: Analysis) -> list[Finding]:
    if a.decision is None:
        return []
    choice = a.decision.choice
    costs = "; ".join(
        f"{o.name}: "
        + (f"+${o.monthly_usd:,.2f}/month ({o.cost_basis})" if o.monthly_usd is not None else o.cost_basis)
        + ("" if o.feasible else ", beyond the team's thresholds")
        for o in choice.options
    )
    out = [
        Finding(
            id="ml-platform",
            title=f"ML platform: {choice.name} ({choice.chosen.replace('_', ' ')})",
            detail=f"{costs}. Criteria: "
            + "; ".join(f"{c.criterion} → {c.favours}: {c.detail}" for c in choice.criteria),
            evidence=a.decision.evidence,
        )
    ]
    unpriced = [u for o in choice.options for u in o.unpriced]
    if unpriced:
        out.append(
            Finding(
                id="ml-platform-unpriced",
                title=f"{len(unpriced)} platform cost item(s) have no sourced figure",
                severity=Severity.LOW,
                detail="; ".join(unpriced),
            )
        )
    return out


def _replaced(p: MlopsProduct) -> Finding:
    evidence: list[Evidence] = [
        record_evidence(p, EvidenceKind.CATALOG_RECORD, f"product:{p.platform}:{p.capability}", p.detail)
    ]
    return Finding(
        id=f"product-{p.capability}",
        title=f"{p.capability.replace('_', ' ').capitalize()}: {p.product} in place of the managed product",
        severity=Severity.MEDIUM,
        detail=p.why,
        evidence=evidence,
    )
