"""Parsing and the cross-section rules of the input, each error named by its field path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from infra_mind.domain.requirements import AssessmentInput
from infra_mind.domain.workloads import WorkloadType
from infra_mind.errors import FieldError, InputUnreadable, InvalidInput


def load_input_file(path: Path) -> AssessmentInput:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputUnreadable(f"cannot read {path}: {exc.strerror}") from exc
    return parse_input_text(text, json_format=path.suffix.lower() == ".json")


def parse_input_text(text: str, *, json_format: bool = False) -> AssessmentInput:
    try:
        data = json.loads(text) if json_format else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputUnreadable(f"not valid {'JSON' if json_format else 'YAML'}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise InputUnreadable("the input must be a mapping of sections (company, goals, …)")
    return parse_input(data)


def parse_input(data: Mapping[str, Any]) -> AssessmentInput:
    """Validate every field and every cross-section rule; all errors are reported together."""
    cross = cross_section_errors(data)
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
