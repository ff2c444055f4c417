"""Parsing and the cross-section rules of the input, each error named by its field path."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from infra_mind.domain.context import DefaultedField
from infra_mind.domain.requirements import AssessmentInput, CloudProvider, Jurisdiction
from infra_mind.domain.workloads import LlmApplication, LlmHosting, WorkloadType
from infra_mind.errors import FieldError, InputUnreadable, InvalidInput


@dataclass(frozen=True)
class RegionInfo:
    """What the input rules need to know about a catalogued region (built from the knowledge base)."""

    provider: str
    jurisdiction: str


RegionIndex = Mapping[str, RegionInfo]
"""Region code → provider and jurisdiction. With it, region errors are listed with the field errors."""


def load_input_file(path: Path, *, regions: RegionIndex | None = None) -> AssessmentInput:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputUnreadable(f"cannot read {path}: {exc.strerror}") from exc
    return parse_input_text(text, json_format=path.suffix.lower() == ".json", regions=regions)


def parse_input_text(
    text: str, *, json_format: bool = False, regions: RegionIndex | None = None
) -> AssessmentInput:
    try:
        data = json.loads(text) if json_format else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputUnreadable(f"not valid {'JSON' if json_format else 'YAML'}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise InputUnreadable("the input must be a mapping of sections (company, goals, …)")
    return parse_input(data, regions=regions)


def parse_input(data: Mapping[str, Any], *, regions: RegionIndex | None = None) -> AssessmentInput:
    """Validate every field and every cross-section rule; all errors are reported together.

    With `regions` (the region catalog) the rules that need it run in the same pass: unknown preferred
    regions and a residency rule that leaves no provider a region.
    """
    cross = cross_section_errors(data)
    if regions is not None:
        cross += region_errors(data, regions)
    try:
        spec = AssessmentInput.model_validate(data)
    except ValidationError as exc:
        field_errors = [_field_error(err) for err in exc.errors()]
        raise InvalidInput(field_errors + [e for e in cross if e not in field_errors]) from exc
    if cross:
        raise InvalidInput(cross)
    return spec


def cross_section_errors(data: Mapping[str, Any]) -> list[FieldError]:
    """Rules that span sections, read defensively from the raw input so they run even when fields fail."""
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    for index, workload in enumerate(_list(data.get("workloads"))):
        name = workload.get("name") if isinstance(workload, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            continue
        key = name.strip().casefold()
        if key in seen:
            errors.append(
                FieldError(
                    f"workloads[{index}].name", f"duplicate name {name!r} (also workloads[{seen[key]}])"
                )
            )
        seen.setdefault(key, index)
    performance = _map(data.get("performance"))
    markets = _list(_map(data.get("company")).get("customer_markets"))
    if performance.get("global_distribution") is True and len(set(map(str, markets))) < 2:
        errors.append(
            FieldError(
                "performance.global_distribution",
                "global distribution needs customers in at least 2 markets (company.customer_markets)",
            )
        )
    budget = _map(data.get("budget"))
    total_max, monthly = budget.get("total_max_usd"), budget.get("monthly_limit_usd")
    if isinstance(total_max, int | float) and isinstance(monthly, int | float) and total_max < monthly:
        errors.append(
            FieldError(
                "budget.total_max_usd",
                "the total budget is below one month's limit (budget.monthly_limit_usd)",
            )
        )
    return errors


def region_errors(data: Mapping[str, Any], regions: RegionIndex) -> list[FieldError]:
    """Rules against the region catalog, read defensively from the raw input."""
    errors: list[FieldError] = []
    providers = _map(data.get("providers"))
    known = ", ".join(sorted(regions))
    for index, code in enumerate(_list(providers.get("preferred_regions"))):
        if isinstance(code, str) and code.strip() and code.strip() not in regions:
            errors.append(
                FieldError(
                    f"providers.preferred_regions[{index}]", f"unknown region {code!r}; known: {known}"
                )
            )
    residency = {str(j) for j in _list(_map(data.get("compliance")).get("data_residency"))}
    if not residency or not residency <= {j.value for j in Jurisdiction}:
        return errors
    excluded = {str(p) for p in _list(providers.get("excluded"))}
    allowed = {p.value for p in CloudProvider} - excluded
    if not any(r.provider in allowed and r.jurisdiction in residency for r in regions.values()):
        errors.append(
            FieldError(
                "compliance.data_residency",
                f"no allowed provider ({', '.join(sorted(allowed)) or 'none'}) has a catalogued region in "
                f"{', '.join(sorted(residency))}",
            )
        )
    return errors


def defaulted_fields(spec: AssessmentInput) -> tuple[DefaultedField, ...]:
    """Fields the input left out whose defaults feed sizing or a choice, each with the value used."""
    out = []
    for path, model, drives in _default_sensitive(spec):
        for name, what in drives.items():
            if name not in model.model_fields_set:
                value = getattr(model, name)
                out.append(DefaultedField(field=f"{path}.{name}", value=_shown(value), drives=what))
    return tuple(out)


def _default_sensitive(spec: AssessmentInput) -> Iterator[tuple[str, BaseModel, dict[str, str]]]:
    yield "budget", spec.budget, _BUDGET_DEFAULTS
    yield "team", spec.team, _TEAM_DEFAULTS
    yield "performance", spec.performance, _PERFORMANCE_DEFAULTS
    yield "timeline", spec.timeline, _TIMELINE_DEFAULTS
    for index, workload in enumerate(spec.workloads):
        drives = {**_WORKLOAD_DEFAULTS, **_WORKLOAD_TYPE_DEFAULTS.get(workload.type, {})}
        if isinstance(workload, LlmApplication) and workload.hosting is not LlmHosting.SELF_HOSTED:
            drives.pop("model_size_b_params", None)
        if workload.type == "ml_training":
            drives.pop("peak_multiplier")  # training is sized by runs × hours × GPUs, not by a peak
        yield f"workloads[{index}]", workload, drives


def _shown(value: object) -> str:
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "value", value))


_BUDGET_DEFAULTS = {"flexibility": "the budget ceiling (monthly limit × the flexibility allowance)"}
_TEAM_DEFAULTS = {
    "kubernetes_expertise": "the platform (managed Kubernetes or VM groups) and the skills risks",
    "cloud_expertise": "the skills risks and the foundation phase",
    "database_expertise": "the database build-or-buy reasoning and the skills risks",
}
_PERFORMANCE_DEFAULTS = {"global_distribution": "the number of regions"}
_TIMELINE_DEFAULTS = {"urgency": "how far roadmap phases overlap"}
_WORKLOAD_DEFAULTS = {"peak_multiplier": "peak capacity (peak = average × multiplier)"}
_LATENCY = "the latency target the serving tier is held to"
_WORKLOAD_TYPE_DEFAULTS: dict[str, dict[str, str]] = {
    "web_app": {"avg_response_kb": "egress and CDN traffic", "latency_target_ms": _LATENCY},
    "api": {"avg_response_kb": "egress", "latency_target_ms": _LATENCY},
    "data_processing": {"streaming": "the processing window (24 h streaming or the nightly batch window)"},
    "ml_training": {
        "gpus_per_run": "training GPU-hours",
        "model_size_b_params": "GPU memory per training run",
    },
    "ml_inference": {
        "gpu_required": "GPU or CPU serving",
        "model_size_b_params": "GPU memory and the request-rate rule per GPU",
        "latency_target_ms": _LATENCY,
    },
    "llm_application": {
        "hosting": "managed LLM API or self-hosted GPUs",
        "input_tokens_per_request": "tokens per second (self-hosted GPUs, API token volume)",
        "output_tokens_per_request": "tokens per second (self-hosted GPUs, API token volume)",
        "model_size_b_params": "GPU memory and tokens/s per GPU of the self-hosted model",
    },
    "database": {
        "read_qps": "database vCPU",
        "write_qps": "database vCPU",
        "high_availability": "a standby copy in a second zone",
        "data_size_gb": "database storage and backups",
    },
    "analytics": {"scanned_gb_per_query": "analytics vCPU", "data_size_gb": "storage"},
    "batch": {"vcpu_per_job": "batch vCPU-hours", "interruptible": "whether spot capacity may run it"},
}


def _field_error(error: Any) -> FieldError:
    path = ""
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]" or part in _UNION_TAGS:
            continue
        else:
            path += f".{part}" if path else str(part)
    if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        path += ".type"
    return FieldError(path, error["msg"])


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_UNION_TAGS = frozenset(get_args(WorkloadType))
