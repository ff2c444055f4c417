"""Form fields derived from the input's pydantic models: the kind of control, its options and bounds."""

from __future__ import annotations

import types
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from infra_mind.domain.enums import Framework

Kind = Literal[
    "text", "textarea", "number", "select", "checkboxes", "checkbox", "lines", "numbers", "percentages"
]
LONG_TEXT = 1000
"""A text field allowed more characters than this is a textarea."""

_WORDS = {
    "usd": "USD",
    "gb": "GB",
    "kb": "KB",
    "qps": "queries/s",
    "gpus": "GPUs",
    "vcpu": "vCPU",
    "rto": "RTO",
    "rpo": "RPO",
    "ml": "ML",
    "devops": "DevOps",
    "avg": "average",
}
_UNITS = {"usd": "USD", "pct": "%", "ms": "ms", "minutes": "minutes", "months": "months", "years": "years"}
_UNITS |= {"gb": "GB", "kb": "KB"}
_LABELS = {
    "users_6m": "Users in 6 months",
    "users_12m": "Users in 12 months",
    "users_24m": "Users in 24 months",
    "annual_revenue_usd": "Annual revenue (USD)",
    "monthly_limit_usd": "Monthly limit (USD)",
    "total_min_usd": "Total budget, minimum (USD)",
    "total_max_usd": "Total budget, maximum (USD)",
    "multi_cloud_acceptable": "More than one cloud provider is acceptable",
    "global_distribution": "Serve users from several regions (global distribution)",
    "preferred_regions": "Preferred regions",
    "model_sizes_b_params": "Model sizes (billion parameters)",
    "model_size_b_params": "Model size (billion parameters)",
    "size": "Size",
    "vcpu_per_job": "vCPU per job",
}
_HINTS = {
    "lines": "one per line",
    "numbers": "numbers separated by commas",
}


_OPTION_WORDS = {"uk": "UK", "apac": "APAC", "aws": "AWS", "gcp": "GCP", "llm": "LLM", "nlp": "NLP"}
_OPTION_WORDS |= {"mfa": "MFA", "sso": "SSO", "rbac": "RBAC", "dlp": "DLP", "ddos": "DDoS", "api": "API"}
_OPTION_WORDS |= {"ai": "AI", "ml": "ML", "eu": "EU", "us": "US", "gpu": "GPU", "cpu": "CPU", "etl": "ETL"}
_OPTION_WORDS |= {"america": "America", "east": "East"}
_OPTION_WORDS |= {f.value: f.value.upper().replace("_", " ") for f in Framework} | {"soc2": "SOC 2"}
_OPTION_WORDS |= {
    "iso_27001": "ISO 27001",
    "nist_csf": "NIST CSF",
    "pci_dss": "PCI DSS",
    "fedramp": "FedRAMP",
}


def option_label(value: str) -> str:
    """An enum value as people read it: `north_america` → "North America", `pci_dss` → "PCI DSS",
    `ai_adoption` → "AI adoption"."""
    if value in _OPTION_WORDS:
        return _OPTION_WORDS[value]
    text = " ".join(_OPTION_WORDS.get(word, word) for word in value.split("_"))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: Kind
    required: bool
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    default: Any = None
    hint: str = ""

    def label_of(self, option: str) -> str:
        return option_label(option)

    @property
    def step(self) -> str:
        return "1" if self.integer else "any"

    def default_text(self) -> str:
        """The model's default in words, for a placeholder or an empty choice; "" when there is none."""
        if self.default is None or self.default in ([], {}, ""):
            return ""
        if isinstance(self.default, Enum):
            return option_label(str(self.default.value))
        if isinstance(self.default, bool):
            return "yes" if self.default else "no"
        return f"{self.default:g}" if isinstance(self.default, float) else str(self.default)


def model_fields(model: type[BaseModel], *, skip: tuple[str, ...] = ()) -> tuple[FieldSpec, ...]:
    return tuple(field_spec(name, info) for name, info in model.model_fields.items() if name not in skip)


def field_spec(key: str, info: FieldInfo) -> FieldSpec:
    annotation, _ = _without_none(info.annotation)
    default = None if info.is_required() else info.get_default(call_default_factory=True, validated_data={})
    bounds = _bounds(info.metadata)
    base: dict[str, Any] = {
        "key": key,
        "label": label_for(key),
        "required": info.is_required(),
        "default": default,
        "hint": info.description or "",
    }
    origin = get_origin(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        item_type = _bare(item)
        if isinstance(item_type, type) and issubclass(item_type, Enum):
            return FieldSpec(kind="checkboxes", options=_values(item_type), **base)
        kind: Kind = "numbers" if item_type in (int, float) else "lines"
        return FieldSpec(kind=kind, **(base | {"hint": _joined(info.description, _HINTS[kind])}))
    if origin is dict:
        key_type, _ = get_args(annotation)
        return FieldSpec(kind="percentages", options=_values(key_type), minimum=0, maximum=100, **base)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return FieldSpec(kind="select", options=_values(annotation), **base)
    if annotation is bool:
        return FieldSpec(kind="checkbox", **base)
    if annotation in (int, float):
        return FieldSpec(kind="number", integer=annotation is int, **bounds, **base)
    long_text = (bounds.get("max_length") or 0) > LONG_TEXT
    return FieldSpec(kind="textarea" if long_text else "text", **base)


def label_for(key: str) -> str:
    if key in _LABELS:
        return _LABELS[key]
    *words, last = key.split("_")
    shown = [_WORDS.get(word, word) for word in words]
    shown.append(f"({_UNITS[last]})" if last in _UNITS and words else _WORDS.get(last, last))
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            out["minimum"] = item.ge if isinstance(item, annotated_types.Ge) else item.gt
        elif isinstance(item, annotated_types.Le | annotated_types.Lt):
            out["maximum"] = item.le if isinstance(item, annotated_types.Le) else item.lt
        elif isinstance(item, annotated_types.MaxLen):
            out["max_length"] = item.max_length
    if "max_length" in out:
        return {"max_length": out["max_length"]}
    return out


def _without_none(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _bare(annotation: Any) -> Any:
    """`Annotated[float, Field(...)]` → float."""
    args = get_args(annotation)
    return args[0] if hasattr(annotation, "__metadata__") and args else annotation


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


def _joined(*parts: str | None) -> str:
    return "; ".join(p for p in parts if p)
