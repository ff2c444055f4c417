"""Valid assessment inputs of growing size, built from an example: more workloads (the examples' own,
copied under numbered names), more compliance frameworks, more regions in reach (data residency widened
step by step until every catalogued region is allowed)."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infra_mind.domain.enums import Framework
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge

WORKLOAD_COUNTS = (1, 5, 10, 25, 50)
FRAMEWORK_COUNTS = (1, 2, 4, 8)
RESIDENCY_STEPS: tuple[tuple[str, ...], ...] = (
    ("UK",),
    ("UK", "SG"),
    ("US",),
    ("EU", "US"),
    ("EU", "US", "UK", "SG"),
    (),
)
"""From 4 catalogued regions to every one (no residency rule): the jurisdictions' regions across the
three providers."""


@dataclass(frozen=True)
class SizedInput:
    axis: str
    size: int
    """workloads, frameworks, or regions the assessment may place in (counted from its constraints)"""
    spec: AssessmentInput


def with_workloads(base: dict[str, Any], pool: list[dict[str, Any]], count: int) -> dict[str, Any]:
    """`count` workloads: the pool's in turn, each copy after the first named `<name>-<copy>`."""
    raw = deepcopy(base)
    workloads = []
    for i in range(count):
        workload = deepcopy(pool[i % len(pool)])
        copy = i // len(pool)
        if copy:
            workload["name"] = f"{workload['name']}-{copy + 1}"
        workloads.append(workload)
    raw["workloads"] = workloads
    return raw


def with_frameworks(base: dict[str, Any], count: int) -> dict[str, Any]:
    """The base's frameworks first, then the others in the catalogue's order."""
    raw = deepcopy(base)
    own = list(raw["compliance"]["frameworks"])
    ordered = own + [f.value for f in Framework if f.value not in own]
    raw["compliance"]["frameworks"] = ordered[:count]
    return raw


def with_residency(base: dict[str, Any], jurisdictions: tuple[str, ...]) -> dict[str, Any]:
    """Residency alone decides the regions in reach: no provider excluded, none preferred."""
    raw = deepcopy(base)
    raw["compliance"]["data_residency"] = list(jurisdictions)
    raw["providers"] = {**raw["providers"], "preferred": [], "excluded": [], "preferred_regions": []}
    return raw


def workload_pool(examples: list[Path]) -> list[dict[str, Any]]:
    return [w for e in examples for w in yaml.safe_load(e.read_text())["workloads"]]


def curves(
    base: Path,
    examples: list[Path],
    knowledge: Knowledge,
    *,
    workloads: tuple[int, ...] = WORKLOAD_COUNTS,
    frameworks: tuple[int, ...] = FRAMEWORK_COUNTS,
    residency: tuple[tuple[str, ...], ...] = RESIDENCY_STEPS,
) -> dict[str, list[SizedInput]]:
    """Every input validated as the pipeline validates it (InvalidInput if one is not valid)."""
    raw = yaml.safe_load(base.read_text())
    pool = workload_pool(examples)

    def sized(axis: str, size: int, data: dict[str, Any]) -> SizedInput:
        spec = parse_input(data)
        build_context(spec, knowledge)
        return SizedInput(axis, size, spec)

    def regions_in_reach(data: dict[str, Any]) -> int:
        allowed = build_context(parse_input(data), knowledge).constraints.allowed_regions
        return sum(len(codes) for codes in allowed.values())

    residency_inputs = [with_residency(raw, step) for step in residency]
    return {
        "workloads": [sized("workloads", n, with_workloads(raw, pool, n)) for n in workloads],
        "frameworks": [sized("frameworks", n, with_frameworks(raw, n)) for n in frameworks],
        "regions": [sized("regions", regions_in_reach(data), data) for data in residency_inputs],
    }
