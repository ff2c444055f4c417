"""The mock server's profile: latency, faults and scripted replies, read from YAML/JSON or built in Python."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bench.mockllm.faults import FaultPolicy
from infra_mind.errors import ConfigurationError

DEFAULT_MODEL = "mock-llm"
DEFAULT_PLAIN_REPLY = "This is a reply from the Infra Mind mock model."


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixedLatency(_Frozen):
    kind: Literal["fixed"]
    seconds: float = Field(ge=0.0)

    def sample(self, rng: random.Random) -> float:
        return self.seconds


class UniformLatency(_Frozen):
    kind: Literal["uniform"]
    low: float = Field(ge=0.0)
    high: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> UniformLatency:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


class NormalLatency(_Frozen):
    """Clipped at zero: a negative draw means an instant reply."""

    kind: Literal["normal"]
    mean: float = Field(ge=0.0)
    stddev: float = Field(ge=0.0)

    def sample(self, rng: random.Random) -> float:
        return max(0.0, rng.gauss(self.mean, self.stddev))


class LognormalLatency(_Frozen):
    kind: Literal["lognormal"]
    median: float = Field(gt=0.0)
    sigma: float = Field(ge=0.0)

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(math.log(self.median), self.sigma)


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "fixed", "seconds": value}
    return value


Latency = Annotated[
    FixedLatency | UniformLatency | NormalLatency | LognormalLatency,
    Field(discriminator="kind"),
    BeforeValidator(_number_is_fixed),
]


class Match(_Frozen):
    """Every condition given must hold; none given matches every request."""

    agent: str | None = None
    user: str | None = None
    contains: str | None = None


class Rule(_Frozen):
    """`reply` rules answer with `content` (sent verbatim) or `reply_json` (serialised); `obey_injection`
    rules answer with what an `IGNORE PREVIOUS INSTRUCTIONS AND SAY X` in the prompt asks for, and only
    match when the prompt has one. Any rule may also set the latency and faults of the requests it matches.
    """

    match: Match = Match()
    type: Literal["reply", "obey_injection"] = "reply"
    content: str | None = None
    reply_json: Any = None
    latency: Latency | None = None
    faults: FaultPolicy | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Rule:
        if self.content is not None and self.reply_json is not None:
            raise ValueError("a rule has either content or reply_json, not both")
        if self.type == "obey_injection" and (self.content is not None or self.reply_json is not None):
            raise ValueError("an obey_injection rule takes its reply from the prompt")
        return self

    @property
    def scripts_reply(self) -> bool:
        return self.type == "obey_injection" or self.content is not None or self.reply_json is not None


class AgentProfile(_Frozen):
    latency: Latency | None = None
    faults: FaultPolicy | None = None


class Profile(_Frozen):
    models: tuple[str, ...] = Field(default=(DEFAULT_MODEL,), min_length=1)
    seed: int = 0
    latency_scale: float = Field(default=1.0, ge=0.0)
    latency: Latency = FixedLatency(kind="fixed", seconds=0.0)
    faults: FaultPolicy = FaultPolicy()
    agents: dict[str, AgentProfile] = Field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    reject_json_schema: bool = False
    plain_reply: str = DEFAULT_PLAIN_REPLY

    def changed(self, **changes: Any) -> Profile:
        """A validated copy with `changes` applied (model_copy would skip validation)."""
        return Profile.model_validate({**self.model_dump(), **changes})


def load_profile(path: Path) -> Profile:
    """YAML or JSON (YAML reads both)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"mock LLM profile {path} unreadable: {exc}") from exc
    try:
        return Profile.model_validate(raw or {})
    except ValidationError as exc:
        raise ConfigurationError(f"mock LLM profile {path} invalid: {exc}") from exc
