from __future__ import annotations

import json
import os
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from bench import postgres, scaleout
from infra_mind.knowledge.catalog import Knowledge

from ..conftest import skip_or_fail_in_ci

pytestmark = pytest.mark.slow

REDIS_DB = 9
"""Not the benchmark's index, so a test and a benchmark on one machine do not flush each other's broker."""


async def _bench_databases() -> list[str]:
    connection = await asyncpg.connect(postgres.ADMIN_URL, timeout=5)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1",
            f"{postgres.DATABASE_PREFIX}{os.getpid()}_%",
        )
    finally:
        await connection.close()
    return [row["datname"] for row in rows]


@pytest.fixture
def reachable_stack() -> None:
    reason = scaleout.unavailable(REDIS_DB)
    if reason is not None:
        skip_or_fail_in_ci(reason)


@pytest.mark.usefixtures("reachable_stack")
async def test_one_and_two_workers_at_a_tiny_size(healthtech: dict[str, Any], knowledge: Knowledge) -> None:
    figures = await scaleout.measure(
        healthtech, knowledge, worker_counts=(1, 2), concurrency=2, runs=4, unit_s=0.05, redis_db=REDIS_DB
    )

    one, two = figures.measurements
    assert [one.workers, two.workers] == [1, 2]
    for m in figures.measurements:
        assert m.by_status == {"completed": 4}
        assert sum(m.runs_by_worker.values()) == 4
        assert m.llm_requests >= 4 * scaleout.AGENTS
        assert 0 < m.run_median_s < m.wall_s
        assert m.runs_per_min > 0
        assert 0 < m.machine_cpu_busy <= 1
        assert 0 < m.workers_cpu_share(figures.cpus) <= 1
        assert m.worker_cpu_s > 0
    assert len(one.runs_by_worker) == 1
    assert len(two.runs_by_worker) == 2, "two slots per worker: four runs at once need both workers"
    assert figures.scaling(1) == 1.0
    assert figures.scaling(2) == pytest.approx(two.runs_per_min / one.runs_per_min)
    assert await _bench_databases() == []
    rows = scaleout.table_rows(figures)
    assert [len(row) for row in rows] == [len(scaleout.TABLE_COLUMNS)] * 2
    assert rows[1][:3] == ("2", "4", "4/4")
    data = json.loads(json.dumps(scaleout.as_json(figures)))
    assert data["target_scaling"] == scaleout.TARGET_SCALING
    assert [m["workers"] for m in data["measurements"]] == [1, 2]
    assert data["measurements"][1]["scaling"] == pytest.approx(figures.scaling(2))


def test_unavailable_names_an_unreachable_postgres() -> None:
    reason = scaleout.unavailable(REDIS_DB, postgres_url="postgresql://postgres@127.0.0.1:1/test")

    assert reason is not None
    assert reason.startswith("PostgreSQL at postgresql://postgres@127.0.0.1:1/test is unusable")
