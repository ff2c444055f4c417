"""Commitment and spot discounts per provider and instance family, and the simulation's assumptions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import Field, ValidationError, model_validator

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import InstanceCategory, Provider, Sourced
from infra_mind.knowledge.sizing import SizingRule

FILE = "commitments.json"
KINDS = ("commitment", "spot", "assumption")
"""What each record of the file is, in its `kind` field."""


class Term(StrEnum):
    ONE_YEAR = "1y"
    THREE_YEARS = "3y"

    @property
    def months(self) -> int:
        return 12 if self is Term.ONE_YEAR else 36


class Scoped(Sourced):
    """A record for one instance family, one category, or (neither given) any instance of the provider."""

    provider: Provider
    family: str | None = None
    category: InstanceCategory | None = None

    @property
    def scope(self) -> str:
        if self.family:
            return f"family {self.family}"
        return f"{self.category.value} instances" if self.category else "every instance family"


class CommitmentDiscount(Scoped):
    instrument: str = Field(description="what is bought, e.g. 'EC2 Standard Reserved Instance, no upfront'")
    discount_1y: float = Field(gt=0, lt=1, description="fraction off on-demand for a 1-year term")
    discount_3y: float = Field(gt=0, lt=1, description="fraction off on-demand for a 3-year term")

    def discount(self, term: Term) -> float:
        return self.discount_1y if term is Term.ONE_YEAR else self.discount_3y


class SpotDiscount(Scoped):
    discount_low: float = Field(gt=0, lt=1, description="smallest fraction off on-demand observed or stated")
    discount_high: float = Field(gt=0, lt=1, description="largest fraction off on-demand observed or stated")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.discount_low > self.discount_high:
            raise ValueError("discount_low must not exceed discount_high")
        return self


R = TypeVar("R", bound=Scoped)


class CommitmentCatalog:
    """Immutable after construction; look-ups fall back from family to category to any family."""

    def __init__(
        self,
        commitments: Iterable[CommitmentDiscount] = (),
        spot: Iterable[SpotDiscount] = (),
        assumptions: Iterable[SizingRule] = (),
    ) -> None:
        self._commitments = list(commitments)
        self._spot = list(spot)
        self._assumptions = {a.key: a for a in assumptions}

    @classmethod
    def load(cls, data_dir: Path) -> CommitmentCatalog:
        path = data_dir / FILE
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
        try:
            by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
            for record in raw["records"]:
                fields = dict(record)
                by_kind[fields.pop("kind")].append(fields)
            return cls(
                commitments=[CommitmentDiscount.model_validate(r) for r in by_kind["commitment"]],
                spot=[SpotDiscount.model_validate(r) for r in by_kind["spot"]],
                assumptions=[SizingRule.model_validate(r) for r in by_kind["assumption"]],
            )
        except (KeyError, TypeError, ValidationError) as exc:
            raise CatalogInvalid(f"catalog {path} does not match the commitments schema: {exc}") from exc

    def commitment(
        self, provider: Provider, family: str, category: InstanceCategory
    ) -> CommitmentDiscount | None:
        return _closest(self._commitments, provider, family, category)

    def spot(self, provider: Provider, family: str, category: InstanceCategory) -> SpotDiscount | None:
        return _closest(self._spot, provider, family, category)

    def assumption(self, key: str) -> SizingRule:
        return self._assumptions[key]


def _closest(records: list[R], provider: Provider, family: str, category: InstanceCategory) -> R | None:
    mine = [r for r in records if r.provider is provider]
    return (
        next((r for r in mine if r.family == family), None)
        or next((r for r in mine if r.family is None and r.category is category), None)
        or next((r for r in mine if r.family is None and r.category is None), None)
    )
