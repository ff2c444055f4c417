from __future__ import annotations

import json
from typing import Any

import pytest

from bench import api
from infra_mind.knowledge.catalog import Knowledge

pytestmark = pytest.mark.slow


async def test_both_measurements_at_a_tiny_size(healthtech: dict[str, Any], knowledge: Knowledge) -> None:
    figures = await api.measure(
        healthtech,
        knowledge,
        clients=5,
        rounds=2,
        think_s=0.05,
        steady_posts_per_client=2,
        submit_unit_s=0.01,
        runs=10,
        in_flight_unit_s=0.01,
        llm_max_concurrency=32,
        with_postgres=False,
    )

    (submit,) = figures.submit
    assert [r.posts for r in submit.rounds] == [5, 5, 10]
    assert [r.accepted for r in submit.rounds] == [5, 5, 10]
    for r in submit.rounds:
        assert 0 < r.p50_ms <= r.p95_ms <= r.p99_ms <= r.max_ms
    assert submit.measured is submit.rounds[-1]
    (flight,) = figures.in_flight
    assert flight.accepted == 10
    assert sum(n for status, n in flight.by_status.items() if status != "queued") == 10
    assert 1 <= flight.peak_in_flight <= 10
    assert flight.llm_requests > 0
    assert flight.peak_rss_mib > 0
    assert flight.ru_maxrss_mib > 0
    assert flight.report_formats == ["md", "json"]
    titles = [title for title, _ in api.table_rows(figures)]
    assert titles[0].startswith(
        "POST analyze, sqlite, embedded runner in a process of its own (serve's default): 5 concurrent"
    )
    assert "steady" in submit.measured.label
    assert titles[1].startswith("10 runs in flight, sqlite, embedded runner on a thread of the API's process")
    data = json.loads(json.dumps(api.as_json(figures)))
    assert data["target_p99_ms"] == api.TARGET_P99_MS
    assert data["in_flight"][0]["runs"] == 10
