"""Fault injection: which fault (if any) a request gets, drawn from a seeded stream."""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_HANG_S = 600.0


class FaultKind(StrEnum):
    HTTP_500 = "http_500"
    HTTP_429 = "http_429"
    TIMEOUT = "timeout"
    MALFORMED_JSON = "malformed_json"
    TRUNCATED_STREAM = "truncated_stream"


class FaultPolicy(BaseModel):
    """`rate` of requests get one of `kinds`, chosen uniformly among the kinds that fit the request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(default=0.0, ge=0.0, le=1.0)
    kinds: tuple[FaultKind, ...] = Field(default=tuple(FaultKind), min_length=1)
    retry_after_s: int = Field(default=1, ge=0)
    hang_s: float = Field(default=30.0, gt=0.0, le=MAX_HANG_S)


def applicable_kinds(policy: FaultPolicy, *, json_mode: bool, stream: bool) -> list[FaultKind]:
    """Malformed JSON only means something for JSON-mode requests, a truncated stream only for streams."""
    kinds = []
    for kind in policy.kinds:
        if kind is FaultKind.MALFORMED_JSON and not json_mode:
            continue
        if kind is FaultKind.TRUNCATED_STREAM and not stream:
            continue
        kinds.append(kind)
    return kinds


def draw_fault(policy: FaultPolicy, rng: random.Random, *, json_mode: bool, stream: bool) -> FaultKind | None:
    # Both draws happen on every request so one request's shape never shifts the next one's outcome.
    roll = rng.random()
    pick = rng.random()
    kinds = applicable_kinds(policy, json_mode=json_mode, stream=stream)
    if not kinds or roll >= policy.rate:
        return None
    return kinds[min(int(pick * len(kinds)), len(kinds) - 1)]


def malformed(content: str) -> str:
    """The first half of a JSON reply, as a model cut off mid-object would send it."""
    return content[: max(1, len(content) // 2)]


def openai_error(
    message: str, error_type: str, *, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}
