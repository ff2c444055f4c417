"""The AI catalog: use cases per industry, open-weights model architectures, the serving rules of the LLM
hosting comparison, and managed-API token prices."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from infra_mind.domain.enums import DataType
from infra_mind.domain.requirements import GoalCategory, Industry, ModelType
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.llm_prices import LlmPriceCatalog
from infra_mind.knowledge.models import Sourced
from infra_mind.knowledge.sizing import SizingRule


class UseCase(Sourced):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    industries: tuple[Industry, ...] = Field(description="empty = every industry")
    title: str
    value: str
    evidence: str | None = Field(description="the published figure behind the value; None = qualitative")
    data_needed: tuple[str, ...]
    data_types: tuple[DataType, ...] = Field(description="regulated data the use case touches")
    model_type: str
    families: tuple[ModelType, ...]
    goals: tuple[GoalCategory, ...]
    keywords: tuple[str, ...] = Field(description="lower-case fragments that name it in ai_ml.use_cases")

    @property
    def cross_industry(self) -> bool:
        return not self.industries


class OpenWeightsModel(Sourced):
    """A published architecture: what the GPU memory of self-hosting is computed from."""

    name: str
    params_b: float = Field(gt=0)
    layers: int = Field(gt=0)
    hidden_size: int = Field(gt=0)
    attention_heads: int = Field(gt=0)
    kv_heads: int = Field(gt=0)
    max_context_tokens: int = Field(gt=0)

    @property
    def kv_width(self) -> int:
        """Keys (or values) cached per token and layer: kv_heads × head size (the hidden size under
        multi-head attention, less under grouped-query attention)."""
        return self.kv_heads * self.hidden_size // self.attention_heads


class AiCatalog:
    """Immutable after construction; an empty catalog answers with nothing, never with invented data."""

    def __init__(
        self,
        use_cases: Iterable[UseCase] = (),
        open_models: Iterable[OpenWeightsModel] = (),
        rules: Iterable[SizingRule] = (),
        llm_prices: LlmPriceCatalog | None = None,
    ) -> None:
        self.use_cases = tuple(use_cases)
        self.open_models = tuple(sorted(open_models, key=lambda m: m.params_b))
        self._rules = {r.key: r for r in rules}
        self.llm_prices = llm_prices or LlmPriceCatalog()

    @classmethod
    def load(cls, data_dir: Path) -> AiCatalog:
        """Reads ai_use_cases.json, whose records are use cases, open-weights models and serving rules
        told apart by `kind`, and the token prices of the installed genai-prices snapshot."""
        path = data_dir / "ai_use_cases.json"
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in _KINDS}
            for record in raw["records"]:
                fields = dict(record)
                by_kind[fields.pop("kind")].append(fields)
            return cls(
                use_cases=[UseCase.model_validate(r) for r in by_kind["use_case"]],
                open_models=[OpenWeightsModel.model_validate(r) for r in by_kind["open_weights_model"]],
                rules=[SizingRule.model_validate(r) for r in by_kind["serving_rule"]],
                llm_prices=LlmPriceCatalog.from_genai_prices(),
            )
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
        except (KeyError, TypeError, ValidationError) as exc:
            raise CatalogInvalid(f"catalog {path} does not match the AI catalog: {exc}") from exc

    def for_industry(self, industry: Industry) -> list[UseCase]:
        return [u for u in self.use_cases if u.cross_industry or industry in u.industries]

    def rule(self, key: str) -> SizingRule | None:
        return self._rules.get(key)

    @property
    def complete(self) -> bool:
        """Every serving rule and at least one architecture are loaded."""
        return bool(self.open_models) and all(key in self._rules for key in SERVING_RULES)


_KINDS = ("use_case", "open_weights_model", "serving_rule")
SERVING_RULES = (
    "llm_days_per_month",
    "bytes_per_param_int8",
    "bytes_per_param_int4",
    "kv_cache_bytes_per_value",
    "gpu_memory_utilization",
    "llm_decode_tokens_per_s_per_sequence",
    "llm_decode_reference_b_params",
)
