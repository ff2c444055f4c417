"""Backoff policy for LLM calls: exponential with jitter, bounded, honouring the server's Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class BackoffPolicy:
    max_attempts: int = 4
    """Total attempts, the first one included."""
    base_s: float = 0.5
    multiplier: float = 2.0
    max_wait_s: float = 30.0
    """Longest single wait; a Retry-After beyond it ends the retries (the caller degrades instead)."""

    def delay(self, retry_number: int, rng: random.Random) -> float:
        """Wait before retry `retry_number` (1-based): "equal jitter", half fixed and half random, so
        concurrent callers spread out but never retry immediately."""
        ceiling = min(self.max_wait_s, self.base_s * self.multiplier ** (retry_number - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or
    unreadable. A date in the past means "now" (0 s)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
