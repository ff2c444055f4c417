"""What a step's template needs: each field with its name, typed value, error and filled-in source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra_mind.errors import FieldError
from infra_mind.web.wizard.fields import FieldSpec
from infra_mind.web.wizard.forms import (
    field_names,
    name_of_path,
    nearest_field,
    row_fields,
    rows_of,
    value_at,
)
from infra_mind.web.wizard.steps import STEPS, WORKLOAD_TYPE_LABELS, Part, Step, step_of_path

MISSING = "Field required"


@dataclass(frozen=True)
class FieldView:
    spec: FieldSpec
    name: str
    value: Any
    error: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        """The value as the control shows it."""
        value = self.value
        if value is None:
            return ""
        if self.spec.kind == "lines" and isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if self.spec.kind == "numbers" and isinstance(value, list):
            return ", ".join(_shown(v) for v in value)
        return _shown(value)

    @property
    def chosen(self) -> list[str]:
        return [str(v) for v in self.value] if isinstance(self.value, list) else []

    @property
    def checked(self) -> bool:
        return bool(self.spec.default) if self.value is None else self.value is True

    def share(self, option: str) -> str:
        value = self.value.get(option) if isinstance(self.value, Mapping) else None
        return "" if value is None else _shown(value)


@dataclass(frozen=True)
class RowView:
    index: int
    kind: str
    title: str
    fields: list[FieldView]
    error: str = ""


@dataclass(frozen=True)
class PartView:
    part: Part
    fields: list[FieldView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class StepView:
    step: Step
    parts: list[PartView]
    unplaced_errors: list[str]


def step_view(
    step: Step,
    data: Mapping[str, Any],
    errors: list[FieldError] | None = None,
    notes: Mapping[str, str] | None = None,
) -> StepView:
    by_field, unplaced = errors_by_field(step, data, errors or [])
    notes = notes or {}

    def view(name: str, spec: FieldSpec) -> FieldView:
        return FieldView(spec, name, value_at(data, name), by_field.get(name, ""), notes.get(name, ""))

    parts = []
    for part in step.parts:
        if part.kind == "rows":
            rows = []
            for index, row in enumerate(rows_of(data, part.section)):
                prefix = f"{part.section}.{index}"
                kind = str(row.get("type", "")) if isinstance(row, Mapping) else ""
                title = f"{part.row_label} {index + 1}" + (
                    f" · {WORKLOAD_TYPE_LABELS[kind]}" if kind in WORKLOAD_TYPE_LABELS else ""
                )
                fields = [view(f"{prefix}.{spec.key}", spec) for spec in row_fields(part, row)]
                error = "; ".join(m for m in (by_field.get(prefix), by_field.get(f"{prefix}.type")) if m)
                rows.append(RowView(index, kind, title, fields, error))
            parts.append(PartView(part, rows=rows, error=by_field.get(part.section, "")))
        elif part.kind == "value":
            parts.append(PartView(part, fields=[view(part.section, part.fields[0])]))
        else:
            fields = [view(f"{part.section}.{spec.key}", spec) for spec in part.fields]
            parts.append(PartView(part, fields=fields, error=by_field.get(part.section, "")))
    return StepView(step, parts, unplaced)


def errors_by_field(
    step: Step, data: Mapping[str, Any], errors: list[FieldError]
) -> tuple[dict[str, str], list[str]]:
    names = set(field_names(step, data))
    merged: dict[str, list[str]] = {}
    unplaced = []
    for error in errors:
        name = nearest_field(error.path, names)
        if name is None:
            unplaced.append(str(error))
            continue
        detail = error.message
        if name in step.sections and detail == MISSING:
            detail = "this section is required: fill in the fields marked (required)"
        exact = name_matches(error.path, name)
        merged.setdefault(name, []).append(detail if exact else f"{error.path}: {detail}")
    return {name: "; ".join(messages) for name, messages in merged.items()}, unplaced


def name_matches(path: str, name: str) -> bool:
    return name_of_path(path) == name


def errors_of_step(step: Step, errors: list[FieldError]) -> list[FieldError]:
    return [e for e in errors if (owner := step_of_path(e.path)) is not None and owner.slug == step.slug]


@dataclass(frozen=True)
class ReviewError:
    path: str
    message: str
    step: Step | None
    field: str


def review_errors(data: Mapping[str, Any], errors: list[FieldError]) -> list[ReviewError]:
    """Every error with the step and field to fix it in, in step order."""
    out = []
    for error in errors:
        step = step_of_path(error.path)
        target = nearest_field(error.path, set(field_names(step, data))) if step else None
        out.append(ReviewError(error.path, error.message, step, target or ""))
    order = {s.slug: i for i, s in enumerate(STEPS)}
    return sorted(out, key=lambda e: order.get(e.step.slug, len(STEPS)) if e.step else len(STEPS))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
    return str(value)
