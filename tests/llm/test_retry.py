from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from infra_mind.llm.retry import BackoffPolicy, parse_retry_after

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("Sun, 29 Nov 2026 12:00:10 GMT", 10.0),
        ("Sun, 29 Nov 2026 11:59:00 GMT", 0.0),
        ("-4", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_seconds_or_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = BackoffPolicy(base_s=1.0, multiplier=2.0, max_wait_s=5.0)
    rng = random.Random(1)

    waits = [policy.delay(n, rng) for n in range(1, 6)]

    for wait, ceiling in zip(waits, [1, 2, 4, 5, 5], strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_backoff_is_reproducible_with_a_seed() -> None:
    policy = BackoffPolicy()

    assert [policy.delay(n, random.Random(3)) for n in (1, 2)] == [
        policy.delay(n, random.Random(3)) for n in (1, 2)
    ]
