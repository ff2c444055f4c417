"""Reads the simulation and security agents' outputs by their `kind`, as plain data.

The reports do not import these agents' output models: they look for the shapes they know (monthly
P10/P50/P90 cost bands per provider and purchase strategy, per-component threats, control gaps) and fall
back to what they can always show when a shape is not there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from infra_mind.domain.assessment import AssessmentResult

Data = dict[str, Any]
_PERCENTILE = re.compile(r"(?:^|_)p(10|50|90)(?:_|$)")
_MONEY = re.compile(r"usd|cost")
_ON_DEMAND = re.compile(r"on.?demand")


@dataclass(frozen=True)
class CostFan:
    """Monthly cost percentiles of one provider and purchase strategy from the simulation agent."""

    provider: str | None
    strategy: str | None
    p10: list[float]
    p50: list[float]
    p90: list[float]

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.provider, self.strategy) if part) or "the recommended plan"


@dataclass(frozen=True)
class StrategyRow:
    strategy: str
    description: str
    total: dict[str, float]
    saving: dict[str, float] | None


@dataclass(frozen=True)
class ThreatRow:
    component: str
    threat: str
    mitigations: str
    residual_risk: str
    top: bool


@dataclass(frozen=True)
class SecurityGapRow:
    control: str
    severity: str
    basis: str
    services: str


def output_data(result: AssessmentResult, agent: str) -> Data | None:
    """The completed agent's output as plain data, when its kind is the agent's name."""
    found = result.agents.get(agent)
    if found is None or not found.ok or found.output is None:
        return None
    output: object = found.output
    data = output.model_dump(mode="json") if isinstance(output, BaseModel) else output
    if not isinstance(data, dict) or data.get("kind") != agent:
        return None
    return data


def cost_fan(simulation: Data | None, provider: str | None) -> CostFan | None:
    """The simulated monthly cost band of `provider` (any provider when None), on-demand preferred."""
    if simulation is None:
        return None
    fans = [f for f in _fans(simulation, {}, "") if provider is None or f.provider == provider]
    if not fans:
        return None
    return next((f for f in fans if f.strategy and _ON_DEMAND.search(f.strategy)), fans[0])


def purchase_strategies(simulation: Data | None, provider: str | None) -> list[StrategyRow]:
    """36-month totals (P10/P50/P90) per purchase strategy of `provider`, as the simulation reports them."""
    if simulation is None or provider is None:
        return []
    rows = []
    for plan in _dicts(simulation.get("providers")):
        if plan.get("provider") != provider:
            continue
        for item in _dicts(plan.get("strategies")):
            total = _percentiles(item.get("total_36m_usd"))
            if isinstance(item.get("strategy"), str) and total is not None:
                rows.append(
                    StrategyRow(
                        item["strategy"],
                        str(item.get("description", "")),
                        total,
                        _percentiles(item.get("saving_36m_usd")),
                    )
                )
    return rows


def threat_model(security: Data | None) -> list[ThreatRow] | None:
    """Per component and threat: mitigations and residual risk, when the security output carries them.

    `top` marks the threats the agent lists in `top_threats` (highest residual risk).
    """
    if security is None:
        return None
    top = {str(t) for t in security.get("top_threats", []) if isinstance(t, str)}
    rows = [
        row
        for items in _lists(security)
        for item in items
        if isinstance(item, dict) and "component" in item
        for row in _component_rows(item, top)
    ]
    return rows or None


def security_gaps(security: Data | None) -> list[SecurityGapRow]:
    if security is None:
        return []
    return [
        SecurityGapRow(
            control=str(gap["control"]),
            severity=str(gap["severity"]),
            basis=_text(gap.get("basis") or gap.get("reasons")),
            services=_text(gap.get("services")),
        )
        for gap in _dicts(security.get("gaps"))
        if "control" in gap and "severity" in gap
    ]


def _fans(node: Any, scope: dict[str, str], key: str) -> Iterator[CostFan]:
    if isinstance(node, list):
        for item in node:
            yield from _fans(item, scope, key)
        return
    if not isinstance(node, dict):
        return
    scope = dict(scope)
    for name in ("provider", "strategy", "purchase_strategy"):
        if isinstance(node.get(name), str):
            scope["strategy" if name.endswith("strategy") else name] = node[name]
    band = _band(node)
    if band is not None and _MONEY.search(key):
        yield CostFan(scope.get("provider"), scope.get("strategy"), band["10"], band["50"], band["90"])
    for child_key, value in node.items():
        yield from _fans(value, scope, str(child_key).lower())


def _band(node: Mapping[str, Any]) -> dict[str, list[float]] | None:
    found: dict[str, list[float]] = {}
    for key, value in node.items():
        match = _PERCENTILE.search(str(key).lower())
        if match and isinstance(value, list) and len(value) > 1 and all(_number(v) for v in value):
            found.setdefault(match.group(1), [float(v) for v in value])
    if set(found) != {"10", "50", "90"} or len({len(v) for v in found.values()}) != 1:
        return None
    return found


def _percentiles(value: Any) -> dict[str, float] | None:
    if not isinstance(value, dict) or not all(_number(value.get(p)) for p in ("p10", "p50", "p90")):
        return None
    return {p: float(value[p]) for p in ("p10", "p50", "p90")}


def _component_rows(item: Mapping[str, Any], top: set[str]) -> list[ThreatRow]:
    component = _text(item.get("name") or item["component"])
    threats = next((v for k, v in item.items() if "threat" in str(k).lower()), None)
    if isinstance(threats, list) and threats and all(isinstance(t, dict) for t in threats):
        return [
            ThreatRow(
                component, _text(t), _text(_field(t, "mitigation")), _residual(t), str(t.get("id")) in top
            )
            for t in threats
        ]
    if threats is None:
        return []
    return [ThreatRow(component, _text(threats), _text(_field(item, "mitigation")), _residual(item), False)]


def _residual(item: Mapping[str, Any]) -> str:
    found = {str(k): v for k, v in item.items() if "residual" in str(k).lower() and v is not None}
    if len(found) == 1:
        return _text(next(iter(found.values())))
    return "; ".join(f"{_residual_label(key)}: {_text(value)}" for key, value in found.items()) or "—"


def _residual_label(key: str) -> str:
    return key.lower().replace("residual", "").strip("_").replace("_", " ") or "residual"


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _lists(node: Any) -> Iterator[list[Any]]:
    if isinstance(node, list):
        yield node
        for item in node:
            yield from _lists(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _lists(value)


def _field(item: Mapping[str, Any], stem: str) -> Any:
    return next((value for key, value in item.items() if stem in str(key).lower()), None)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        for key in ("title", "name", "threat", "description", "detail"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
