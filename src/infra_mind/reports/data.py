"""The data behind each report, as JSON: the same sections as the Markdown, in machine-readable form.

A section whose agent did not complete is null, and `missing_sections` says why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel

from infra_mind.reports.backlog import OWNER_RULE, BacklogItem
from infra_mind.reports.view import ReportView

Data = dict[str, Any]
TOP_RISKS = 5


def report_json(kind: str, view: ReportView) -> str:
    data = {**_header(kind, view), **SECTIONS[kind](view)}
    return json.dumps(data, indent=2, ensure_ascii=False)


def _header(kind: str, view: ReportView) -> Data:
    result = view.result
    return {
        "report": kind,
        "assessment_id": result.assessment_id,
        "company": view.company,
        "status": result.status.value,
        "quorum": result.quorum,
        "agents": {
            name: {
                "status": r.status.value,
                "duration_s": r.duration_s,
                "attempts": r.attempts,
                "summary": r.summary if r.ok else view.missing[name],
            }
            for name, r in result.agents.items()
        },
        "missing_sections": view.missing,
    }


def _executive(view: ReportView) -> Data:
    cto = view.cto
    return {
        "decision": _decision(view),
        "roi_note": cto.roi_note if cto else None,
        "top_recommendations": [_rec_summary(item) for item in view.backlog[: len(view.top)]],
        "providers": _providers(view),
        "scenario_totals": _scenario_totals(view),
        "compliance": _frameworks(view),
        "roadmap": _dump(cto.roadmap) if cto else None,
        "top_risks": _dump(cto.risks[:TOP_RISKS]) if cto else None,
        "input_warnings": _dump(view.result.validation.warnings),
    }


def _technical(view: ReportView) -> Data:
    infra, cloud, cto = view.infrastructure, view.cloud, view.cto
    return {
        "requirements": view.ctx.profile.model_dump(mode="json"),
        "constraints": view.ctx.constraints.model_dump(mode="json"),
        "defaults": _dump(view.ctx.defaults),
        "architecture": _dump(cloud.service_choices) if cloud else None,
        "topology": _one(infra.topology) if infra else None,
        "disaster_recovery": _one(infra.disaster_recovery) if infra else None,
        "autoscaling": _dump(infra.autoscaling) if infra else None,
        "capacity_plan": _dump(infra.capacity_plan) if infra else None,
        "bill_of_materials": _dump(cloud.quotes) if cloud else None,
        "assumptions": _dump(cloud.assumptions) if cloud else None,
        "compliance": _dump(view.compliance.frameworks) if view.compliance else None,
        "placement": _dump(view.compliance.placement) if view.compliance else None,
        "goals": _dump(cto.goals) if cto else None,
        "roadmap": _dump(cto.roadmap) if cto else None,
        "recommendations": _dump(view.result.recommendations),
        "narratives": {
            name: r.narrative.model_dump(mode="json")
            for name, r in view.result.agents.items()
            if r.ok and r.narrative is not None
        },
        "terraform": infra.terraform if infra else None,
        "execution_metrics": view.result.execution_metrics.model_dump(mode="json"),
    }


def _cfo(view: ReportView) -> Data:
    cloud, cto = view.cloud, view.cto
    fan = view.fan
    return {
        "decision": _decision(view),
        "providers": _providers(view),
        "comparison": _one(cloud.comparison) if cloud and cloud.comparison else None,
        "budget": {
            "input": view.ctx.requirements.budget.model_dump(mode="json"),
            "ceiling_usd_month": view.ctx.constraints.budget_ceiling_usd_month,
            "monthly_check": _one(cloud.budget) if cloud and cloud.budget else None,
        },
        "tco": _dump(cto.tco) if cto else None,
        "roi": _one(cto.roi) if cto and cto.roi else None,
        "cost_model": view.result.cost_model.model_dump(mode="json") if view.result.cost_model else None,
        "simulated_fan": asdict(fan) if fan else None,
        "purchase_strategies": [asdict(row) for row in view.strategies],
        "unpriced": ({q.provider: _dump(q.missing) for q in cloud.quotes} if cloud else None),
        "cost_recommendations": [_rec_summary(item) for item in view.cost_items],
    }


def _ciso(view: ReportView) -> Data:
    compliance = view.compliance
    threats = view.threats
    return {
        "frameworks": _frameworks(view),
        "scores": view.result.compliance.model_dump(mode="json") if view.result.compliance else None,
        "gaps": [
            {**row.gap.model_dump(mode="json"), "closed_by": row.closed_by} for row in view.gaps_by_severity
        ]
        if compliance
        else None,
        "design_controls": _dump(compliance.design_controls) if compliance else None,
        "residency": list(view.ctx.constraints.residency),
        "placement": _dump(compliance.placement) if compliance else None,
        "eligibility": _dump([e for e in compliance.eligibility if e.chosen]) if compliance else None,
        "threat_model": [asdict(t) for t in threats] if threats else None,
        "security_gaps": [asdict(g) for g in view.security_gaps],
        "security_findings": _dump(view.findings("security")),
        "recommendations": [_rec_summary(item) for item in view.security_items],
        "audit_evidence": _dump(compliance.evidence_by_framework) if compliance else None,
    }


def _engineering_lead(view: ReportView) -> Data:
    infra, cto = view.infrastructure, view.cto
    return {
        "roadmap": _dump(cto.roadmap) if cto else None,
        "goals": _dump(cto.goals) if cto else None,
        "build_vs_buy": _dump(cto.build_vs_buy) if cto else None,
        "architecture": _dump(view.cloud.service_choices) if view.cloud else None,
        "topology": _one(infra.topology) if infra else None,
        "disaster_recovery": _one(infra.disaster_recovery) if infra else None,
        "autoscaling": _dump(infra.autoscaling) if infra else None,
        "capacity_plan": _dump(infra.capacity_plan) if infra else None,
        "owner_rule": OWNER_RULE,
        "backlog": [_rec_summary(item) for item in view.backlog],
        "terraform": infra.terraform if infra else None,
    }


def _decision(view: ReportView) -> Data | None:
    q = view.chosen
    if q is None:
        return None
    tco = view.tco(q.provider)
    return {
        "provider": q.provider,
        "region": q.region,
        "dr_strategy": q.dr.strategy if q.dr else None,
        "dr_region": q.dr.region if q.dr else None,
        "primary_usd_month": q.primary_usd,
        "dr_usd_month": q.dr_usd,
        "total_usd_month": q.monthly_usd,
        "complete": q.complete,
        "unpriced": [m.component for m in q.missing],
        "budget_note": view.cloud.budget.note if view.cloud and view.cloud.budget else None,
        "tco_36m_usd": tco.tco_36m_usd if tco else None,
        "total_budget_note": tco.total_budget_note if tco else None,
    }


def _providers(view: ReportView) -> list[Data] | None:
    if view.cloud is None:
        return None
    return [
        {
            "provider": q.provider,
            "recommended": q.provider == view.cloud.recommended_provider,
            "region": q.region,
            "primary_usd_month": q.primary_usd,
            "dr_strategy": q.dr.strategy if q.dr else None,
            "dr_region": q.dr.region if q.dr else None,
            "dr_usd_month": q.dr_usd,
            "total_usd_month": q.monthly_usd,
            "complete": q.complete,
            "priced_lines": len(q.lines),
            "unpriced_items": len(q.missing),
        }
        for q in view.cloud.quotes
    ]


def _scenario_totals(view: ReportView) -> list[Data] | None:
    if view.result.cost_model is None:
        return None
    return [
        {
            "scenario": s.scenario,
            "description": s.description,
            "total_36m_usd": s.totals,
            "complete": s.complete,
        }
        for s in view.scenario_totals
    ]


def _frameworks(view: ReportView) -> list[Data] | None:
    if view.compliance is None:
        return None
    rows = []
    for f in view.compliance.frameworks:
        score = view.score(f.framework)
        rows.append(
            {
                "framework": f.framework,
                "declared": f.declared,
                "reasons": f.reasons,
                "controls": f.controls_total,
                "met_now": f.met_now,
                "met_by_design": f.met_by_design,
                "coverage_now_pct": score.coverage_now_pct if score else None,
                "coverage_by_design_pct": score.coverage_by_design_pct if score else None,
                "open_gaps": [g.control_id for g in f.gaps],
            }
        )
    return rows


def _rec_summary(item: BacklogItem) -> Data:
    r = item.rec
    return {
        "rank": r.rank,
        "id": r.id,
        "key": r.key,
        "title": r.title,
        "priority": r.priority.value,
        "pillar": r.pillar.value,
        "category": r.category,
        "owner_role": item.owner,
        "impact": r.impact,
        "effort": r.effort,
        "confidence": r.confidence,
        "monthly_cost_in_plan": r.monthly_cost_in_plan,
        "monthly_cost_delta": r.monthly_cost_delta,
        "agents": r.agents,
    }


def _one(model: BaseModel) -> Data:
    return model.model_dump(mode="json")


def _dump(models: Sequence[BaseModel]) -> list[Data]:
    return [m.model_dump(mode="json") for m in models]


SECTIONS: dict[str, Callable[[ReportView], Data]] = {
    "executive": _executive,
    "technical": _technical,
    "cfo": _cfo,
    "ciso": _ciso,
    "engineering_lead": _engineering_lead,
}
