"""The provider interface: one request in, one reply out, or a typed LlmError."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from infra_mind.llm.errors import (
    BudgetExhausted,
    InvalidReply,
    LlmError,
    LlmRateLimited,
    LlmTimeout,
    LlmUnavailable,
)

__all__ = [
    "BudgetExhausted",
    "InvalidReply",
    "LlmError",
    "LlmMessage",
    "LlmProvider",
    "LlmRateLimited",
    "LlmReply",
    "LlmRequest",
    "LlmTimeout",
    "LlmUnavailable",
    "TokenUsage",
]

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class LlmMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class LlmRequest:
    """What an agent asks for.

    `data` is the structured input (the agent's findings, as JSON-able values produced by our own code);
    it reaches the model as a JSON data block and is what the offline provider writes from.
    `untrusted` is user free text by name (e.g. "company.description"): it reaches the model only inside
    delimited, sanitised data blocks (see safety.py), never as instructions. `system` and `messages` are
    the agent's own instructions: user text never goes there.
    """

    agent: str
    purpose: str
    system: str
    messages: tuple[LlmMessage, ...] = ()
    schema: type[BaseModel] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    untrusted: Mapping[str, str] = field(default_factory=dict)
    temperature: float = 0.0
    max_tokens: int | None = None


@dataclass(frozen=True)
class TokenUsage:
    tokens_in: int = 0
    tokens_out: int = 0
    reported: bool = True
    """False when the server sent no usage: the token counts are then unknown, not zero."""


@dataclass(frozen=True)
class LlmReply:
    text: str
    model: str
    usage: TokenUsage = TokenUsage()
    parsed: BaseModel | None = None
    """The reply validated against the request's schema; None when no schema was asked for."""
    cost_usd: float | None = None
    """None when no price is known for the model: unknown, never a guessed $0."""
    latency_s: float = 0.0
    cached: bool = False
    attempts: int = 1
    structured_mode: str | None = None
    """How structured output was obtained: json_schema, json_object, prompt, or offline."""


class LlmProvider(Protocol):
    name: str
    model: str

    @property
    def cache_scope(self) -> str:
        """What besides the prompt decides the answer: the model and the server it runs on."""

    async def complete(self, request: LlmRequest) -> LlmReply: ...

    async def aclose(self) -> None:
        """Releases the connections the provider holds (an injected HTTP client included)."""
