""" "Typical for a company like mine": values for a step's empty fields, each with where it comes from.

A value is a published norm from the benchmark or compliance catalogs (with its source), a figure derived
from what the user already entered, or an Infra Mind default (a product rule, and said to be one). A field
the user filled in is never touched.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra_mind.domain.enums import DataType, Framework
from infra_mind.domain.requirements import CloudProvider, CompanySize, Industry
from infra_mind.knowledge.benchmarks import Benchmark, Metric
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.web.wizard.forms import row_fields, rows_of, value_at
from infra_mind.web.wizard.steps import Step

DEFAULT_NOTE = "Infra Mind default: the value the analysis uses when this is left empty"
PLANNING_MONTHS = 36
STRICT_DATA = {DataType.HEALTH, DataType.PAYMENT_CARD, DataType.FINANCIAL, DataType.BIOMETRIC}
STRICT_DATA |= {DataType.GOVERNMENT, DataType.CHILDREN}
# Infra Mind defaults for availability, by the most critical workload: (uptime %, RTO min, RPO min).
AVAILABILITY_BY_CRITICALITY = {
    "mission_critical": (99.95, 60, 15),
    "business_critical": (99.9, 240, 60),
    "standard": (99.5, 720, 240),
    "best_effort": (99.0, 1440, 1440),
}
URGENCY_BY_PRIORITY = {"critical": "critical", "high": "high", "medium": "medium", "low": "low"}


@dataclass(frozen=True)
class Suggestion:
    value: Any
    note: str


Rule = Callable[[Mapping[str, Any], Knowledge], dict[str, Suggestion]]


def fill_typical(
    step: Step, data: Mapping[str, Any], knowledge: Knowledge
) -> tuple[dict[str, Any], dict[str, str]]:
    """`data` with the step's empty fields filled, and a note per filled field name."""
    out = copy.deepcopy(dict(data))
    notes: dict[str, str] = {}

    def offer(name: str, suggestion: Suggestion) -> None:
        if name not in notes and _empty(value_at(out, name)):
            _set_at(out, name, suggestion.value)
            notes[name] = suggestion.note

    for rule in _RULES.get(step.slug, ()):
        for name, suggestion in rule(out, knowledge).items():
            offer(name, suggestion)
    for name, suggestion in _model_defaults(step, out).items():
        offer(name, suggestion)
    return out, notes


def missing_facts(step: Step, data: Mapping[str, Any]) -> str:
    """What the published norms of this step need and the input lacks, in words; "" when nothing."""
    if step.slug in _NORM_STEPS and _segment(data) is None:
        return (
            "Published norms for a company like yours need its size and industry (step “Company & goals”); "
            "without them only values derived from your entries and Infra Mind defaults were filled in."
        )
    return ""


def _model_defaults(step: Step, data: Mapping[str, Any]) -> dict[str, Suggestion]:
    out = {}
    for part in step.parts:
        if part.kind == "rows":
            groups = [
                (f"{part.section}.{i}", row_fields(part, row))
                for i, row in enumerate(rows_of(data, part.section))
            ]
        else:
            groups = [(part.section, part.fields)] if part.kind == "model" else []
        for prefix, specs in groups:
            for spec in specs:
                if not spec.required and spec.kind != "checkbox" and not _empty(spec.default):
                    value = getattr(spec.default, "value", spec.default)
                    out[f"{prefix}.{spec.key}"] = Suggestion(value, DEFAULT_NOTE)
    return out


def _growth(data: Mapping[str, Any], _: Knowledge) -> dict[str, Suggestion]:
    users = value_at(data, "growth.current_users")
    if not isinstance(users, int):
        return {}
    note = "Infra Mind default: a flat projection at today's users; replace it with your own forecast"
    return {f"growth.{key}": Suggestion(users, note) for key in ("users_6m", "users_12m", "users_24m")}


def _team(data: Mapping[str, Any], knowledge: Knowledge) -> dict[str, Suggestion]:
    out = {}
    size = value_at(data, "team.size")
    segment = _segment(data)
    if isinstance(size, int) and size > 0 and segment is not None:
        norm = knowledge.benchmarks.norm(Metric.ENGINEERS_PER_DEVOPS, *segment)
        if norm is not None and norm.value:
            count = round(size / (norm.value + 1))
            statement = f"team of {size} at {norm.value:g} engineers per DevOps/SRE engineer"
            out["team.devops_engineers"] = Suggestion(count, _sourced(statement, norm))
    ml = value_at(data, "team.ml_engineers")
    if isinstance(ml, int) and ml > 0 and segment is not None:
        norm = knowledge.benchmarks.norm(Metric.DATA_ENGINEERS_PER_ML_ENGINEER, *segment)
        if norm is not None and norm.low is not None:
            count = math.ceil(ml * norm.low)
            if not isinstance(size, int) or count + ml <= size:
                statement = f"{ml} ML engineer(s) × {norm.low:g}, the low end of the norm"
                out["team.data_engineers"] = Suggestion(count, _sourced(statement, norm))
    return out


def _current_spend(data: Mapping[str, Any], knowledge: Knowledge) -> dict[str, Suggestion]:
    monthly = _spend_norm(data, knowledge)
    return {"current_infrastructure.monthly_spend_usd": monthly} if monthly else {}


def _ai_ml(data: Mapping[str, Any], _: Knowledge) -> dict[str, Suggestion]:
    workloads = [w for w in rows_of(data, "workloads") if isinstance(w, Mapping)]
    out = {}
    per_day, parts = 0.0, []
    for workload in workloads:
        rps = workload.get("requests_per_second")
        daily = workload.get("requests_per_day")
        if workload.get("type") == "ml_inference" and isinstance(rps, int | float):
            per_day += rps * 86_400
            parts.append(f"{workload.get('name') or 'inference'} {rps:g}/s × 86,400 s")
        elif workload.get("type") == "llm_application" and isinstance(daily, int | float):
            per_day += daily
            parts.append(f"{workload.get('name') or 'LLM application'} {daily:g}/day")
    if parts:
        note = "derived from your workloads: " + " + ".join(parts)
        out["ai_ml.inference_requests_per_day"] = Suggestion(round(per_day), note)
    sizes = [
        w["model_size_b_params"] for w in workloads if isinstance(w.get("model_size_b_params"), int | float)
    ]
    if sizes:
        out["ai_ml.model_sizes_b_params"] = Suggestion(sizes, "derived from your workloads' model sizes")
    if any(w.get("type") == "llm_application" for w in workloads):
        out["ai_ml.model_types"] = Suggestion(["llm"], "derived from your workloads: an LLM application")
    return out


def _availability(data: Mapping[str, Any], _: Knowledge) -> dict[str, Suggestion]:
    levels = [w.get("criticality", "standard") for w in rows_of(data, "workloads") if isinstance(w, Mapping)]
    ranked = [c for c in AVAILABILITY_BY_CRITICALITY if c in levels]
    if not ranked:
        return {}
    uptime, rto, rpo = AVAILABILITY_BY_CRITICALITY[ranked[0]]
    note = f"Infra Mind default for {ranked[0].replace('_', '-')} workloads (your most critical)"
    out = {
        "performance.uptime_target_pct": Suggestion(uptime, note),
        "performance.rto_minutes": Suggestion(rto, note),
        "performance.rpo_minutes": Suggestion(rpo, note),
    }
    clouds = [p for p in _list(value_at(data, "current_infrastructure.providers")) if p in set(CloudProvider)]
    if clouds:
        out["providers.preferred"] = Suggestion(clouds, "from your current infrastructure's providers")
    return out


def _security(data: Mapping[str, Any], knowledge: Knowledge) -> dict[str, Suggestion]:
    out = {}
    frameworks = [Framework(f) for f in _list(value_at(data, "compliance.frameworks")) if f in set(Framework)]
    required: dict[str, list[str]] = {}
    for framework in frameworks:
        for control in knowledge.controls(framework):
            for needed in control.requires:
                required.setdefault(needed.value, []).append(
                    f"{framework.value.upper()} {control.control_id}"
                )
    if required:
        cited = sorted({ref for refs in required.values() for ref in refs})
        note = f"required by the compliance catalog's controls ({', '.join(cited[:6])}" + (
            f" and {len(cited) - 6} more)" if len(cited) > 6 else ")"
        )
        out["security.required_controls"] = Suggestion(sorted(required), note)
    data_types = set(_list(value_at(data, "security.data_types")))
    if data_types & {t.value for t in STRICT_DATA}:
        note = "Infra Mind default: health, payment, financial, biometric, government or children's data"
        out["security.data_classification"] = Suggestion("restricted", note)
    elif DataType.PERSONAL.value in data_types:
        out["security.data_classification"] = Suggestion(
            "confidential", "Infra Mind default: personal data is confidential"
        )
    return out


def _budget(data: Mapping[str, Any], knowledge: Knowledge) -> dict[str, Suggestion]:
    out = {}
    current = value_at(data, "current_infrastructure.monthly_spend_usd")
    if isinstance(current, int | float) and current > 0:
        out["budget.monthly_limit_usd"] = Suggestion(current, "your current monthly cloud spend")
    elif spend := _spend_norm(data, knowledge):
        out["budget.monthly_limit_usd"] = spend
    limit = value_at(data, "budget.monthly_limit_usd") or (
        out["budget.monthly_limit_usd"].value if "budget.monthly_limit_usd" in out else None
    )
    if isinstance(limit, int | float):
        out["budget.total_max_usd"] = Suggestion(
            round(limit * PLANNING_MONTHS),
            f"Infra Mind default: the monthly limit × the {PLANNING_MONTHS}-month planning horizon",
        )
    goals = [g for g in rows_of(data, "goals") if isinstance(g, Mapping)]
    months = [g["timeline_months"] for g in goals if isinstance(g.get("timeline_months"), int)]
    if months:
        out["timeline.target_months"] = Suggestion(max(months), "from your goals: the latest goal's timeline")
    priorities = [g.get("priority") for g in goals]
    top = next((p for p in URGENCY_BY_PRIORITY if p in priorities), None)
    if top:
        note = "Infra Mind default: the priority of your most urgent goal"
        out["timeline.urgency"] = Suggestion(URGENCY_BY_PRIORITY[top], note)
    return out


def _spend_norm(data: Mapping[str, Any], knowledge: Knowledge) -> Suggestion | None:
    revenue = value_at(data, "company.annual_revenue_usd")
    segment = _segment(data)
    if not isinstance(revenue, int | float) or revenue <= 0 or segment is None:
        return None
    norm = knowledge.benchmarks.norm(Metric.CLOUD_SPEND_SHARE_OF_REVENUE, *segment)
    if norm is None or norm.value is None:
        return None
    monthly = round(revenue * norm.value / 100 / 12)
    statement = f"{norm.value:g} % of your annual revenue of ${revenue:,.0f}, per month"
    return Suggestion(monthly, _sourced(statement, norm))


def _segment(data: Mapping[str, Any]) -> tuple[CompanySize, Industry, int | None] | None:
    size, industry = value_at(data, "company.size"), value_at(data, "company.industry")
    if size not in set(CompanySize) or industry not in set(Industry):
        return None
    employees = value_at(data, "company.employees")
    return CompanySize(size), Industry(industry), employees if isinstance(employees, int) else None


def _sourced(statement: str, norm: Benchmark) -> str:
    return f"{statement} — norm for {norm.segment}: {norm.norm_text()}; source: {norm.source} ({norm.as_of})"


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _set_at(data: dict[str, Any], name: str, value: Any) -> None:
    current: Any = data
    parts = name.split(".")
    for part in parts[:-1]:
        current = current[int(part)] if isinstance(current, list) else current.setdefault(part, {})
    current[parts[-1]] = value


_NORM_STEPS = frozenset({"infrastructure", "budget"})
_RULES: dict[str, tuple[Rule, ...]] = {
    "company": (_growth,),
    "infrastructure": (_team, _current_spend),
    "ai-ml": (_ai_ml,),
    "performance": (_availability,),
    "security": (_security,),
    "budget": (_budget,),
}
