"""A step's form data ↔ the nested input dict, with flat field names such as `workloads.0.peak_multiplier`.

What was typed is kept as typed: a number that does not parse stays a string, so validation names it
and the form shows it again. An empty field is left out of the input, so the model's default applies.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from infra_mind.web.wizard.fields import FieldSpec
from infra_mind.web.wizard.steps import WORKLOAD_MODELS, Part, Step, workload_fields

_INDEX = re.compile(r"\[(\d+)\]")


def name_of_path(path: str) -> str:
    """A validation error's path as a field name: `workloads[0].name` → `workloads.0.name`."""
    return _INDEX.sub(r".\1", path).lstrip(".")


def value_at(data: Any, name: str) -> Any:
    current = data
    for part in name.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def row_fields(part: Part, row: Any) -> tuple[FieldSpec, ...]:
    if part.section != "workloads":
        return part.fields
    kind = row.get("type") if isinstance(row, Mapping) else None
    return workload_fields(kind) if kind in WORKLOAD_MODELS else ()


def rows_of(data: Mapping[str, Any], section: str) -> list[Any]:
    rows = data.get(section)
    return rows if isinstance(rows, list) else []


def read_step(form: FormData, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with the step's sections replaced by what the form holds."""
    out = copy.deepcopy(dict(data))
    for part in step.parts:
        if part.kind == "rows":
            value: Any = _read_rows(form, part)
        elif part.kind == "value":
            value = _read_field(form, part.section, part.fields[0])
        else:
            value = _read_fields(form, part.section, part.fields)
        if value is None or value == {}:
            out.pop(part.section, None)
        else:
            out[part.section] = value
    return out


def field_names(step: Step, data: Mapping[str, Any]) -> list[str]:
    """Every field name the step shows for `data`, in order."""
    names: list[str] = []
    for part in step.parts:
        if part.kind == "value":
            names.append(part.section)
        elif part.kind == "rows":
            for index, row in enumerate(rows_of(data, part.section)):
                prefix = f"{part.section}.{index}"
                names.append(f"{prefix}.type")
                names.extend(f"{prefix}.{spec.key}" for spec in row_fields(part, row))
        else:
            names.extend(f"{part.section}.{spec.key}" for spec in part.fields)
        names.append(part.section)
    return names


def nearest_field(path: str, names: set[str]) -> str | None:
    """The field an error belongs to: its own, or the closest enclosing one the step shows."""
    name = name_of_path(path)
    while name:
        if name in names:
            return name
        name = name.rpartition(".")[0]
    return None


def _read_rows(form: FormData, part: Part) -> list[dict[str, Any]]:
    rows = []
    for index in form.getlist(f"{part.section}.rows"):
        prefix = f"{part.section}.{index}"
        row: dict[str, Any] = {}
        if part.section == "workloads":
            kind = form.get(f"{prefix}.type")
            if kind not in WORKLOAD_MODELS:
                continue
            row["type"] = kind
        row |= _read_fields(form, prefix, row_fields(part, row))
        rows.append(row)
    return rows


def _read_fields(form: FormData, prefix: str, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    out = {}
    for spec in specs:
        value = _read_field(form, f"{prefix}.{spec.key}", spec)
        if value is not None:
            out[spec.key] = value
    return out


def _read_field(form: FormData, name: str, spec: FieldSpec) -> Any:
    if spec.kind == "checkbox":
        return form.get(name) is not None
    if spec.kind == "checkboxes":
        chosen = [v for v in form.getlist(name) if isinstance(v, str) and v]
        return chosen or None
    if spec.kind == "percentages":
        shares = {option: _number(_text(form.get(f"{name}.{option}")), False) for option in spec.options}
        return {k: v for k, v in shares.items() if v is not None} or None
    text = _text(form.get(name))
    if spec.kind == "number":
        return _number(text, spec.integer)
    if spec.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()] or None
    if spec.kind == "numbers":
        return [_number(item.strip(), False) for item in text.split(",") if item.strip()] or None
    return text.strip() or None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(text: str, integer: bool) -> int | float | str | None:
    text = text.strip().replace(",", "") if text.count(",") and "." not in text else text.strip()
    if not text:
        return None
    try:
        return int(text) if integer or text.lstrip("-").isdigit() else float(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
