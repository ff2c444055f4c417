"""Sizing rules of thumb, each a stated assumption with its rationale and source."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, PositiveFloat

from infra_mind.domain.pricing import Assumption


class SizingRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    value: PositiveFloat
    unit: str
    rationale: str
    source: str
    as_of: date

    def assumption(self) -> Assumption:
        return Assumption(
            key=self.key,
            value=self.value,
            unit=self.unit,
            rationale=self.rationale,
            source=self.source,
            as_of=self.as_of,
        )
