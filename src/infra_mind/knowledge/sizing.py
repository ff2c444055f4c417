"""Sizing rules of thumb, each a stated assumption with its rationale and source."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, PositiveFloat


class SizingRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    value: PositiveFloat
    unit: str
    rationale: str
    source: str
    as_of: date
