"""The LLM layer: a provider interface with an OpenAI-compatible and an offline implementation, wrapped
with prompt safety, a reply cache, token and cost accounting and a per-run budget (see `build_llm`)."""

from infra_mind.llm.accounting import Budget, CallRecord, LlmAgentUsage, LlmRunUsage
from infra_mind.llm.client import LlmClient, LlmOutcome
from infra_mind.llm.errors import (
    BudgetExhausted,
    InvalidReply,
    LlmError,
    LlmRateLimited,
    LlmTimeout,
    LlmUnavailable,
)
from infra_mind.llm.factory import build_llm
from infra_mind.llm.provider import LlmMessage, LlmProvider, LlmReply, LlmRequest, TokenUsage

__all__ = [
    "Budget",
    "BudgetExhausted",
    "CallRecord",
    "InvalidReply",
    "LlmAgentUsage",
    "LlmClient",
    "LlmError",
    "LlmMessage",
    "LlmOutcome",
    "LlmProvider",
    "LlmRateLimited",
    "LlmReply",
    "LlmRequest",
    "LlmRunUsage",
    "LlmTimeout",
    "LlmUnavailable",
    "TokenUsage",
    "build_llm",
]
