"""Why an LLM call produced no usable reply. These are data for the agents: the caller degrades to the
offline narrative and records the reason (`code` and `message`)."""

from __future__ import annotations

from infra_mind.errors import InfraMindError


class LlmError(InfraMindError):
    status_code = 502
    code = "llm_error"

    def __init__(self, message: str, *, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


class LlmUnavailable(LlmError):
    """The server could not be reached, kept failing (5xx), or refused the request (auth, unknown model)."""

    status_code = 503
    code = "llm_unavailable"


class LlmTimeout(LlmUnavailable):
    status_code = 504
    code = "llm_timeout"


class LlmRateLimited(LlmUnavailable):
    status_code = 429
    code = "llm_rate_limited"

    def __init__(self, message: str, *, attempts: int = 0, retry_after_s: float | None = None) -> None:
        super().__init__(message, attempts=attempts)
        self.retry_after_s = retry_after_s


class InvalidReply(LlmError):
    """The server answered, but the answer is not what was asked for (not JSON, fails the schema, empty)."""

    code = "llm_invalid_reply"


class BudgetExhausted(LlmError):
    """The run's LLM budget was reached before this call could start; the call was not made."""

    status_code = 429
    code = "llm_budget_exhausted"
