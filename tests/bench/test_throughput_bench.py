from __future__ import annotations

from pathlib import Path

import pytest

from bench import throughput

pytestmark = pytest.mark.slow

HEALTHTECH = Path(__file__).resolve().parents[2] / "examples" / "healthtech-hipaa.yaml"


def test_two_worker_processes_each_run_their_share() -> None:
    [figures] = throughput.measure_all([HEALTHTECH], per_process=1, process_counts=(2,))

    assert figures.processes == 2
    assert figures.assessments == 2
    assert figures.workers_used == 2
    assert figures.per_second == pytest.approx(2 / figures.wall_s)
    assert 0 < figures.median_ms <= figures.p95_ms
    assert figures.p95_ms <= figures.wall_s * 1000
    assert throughput.table_rows([figures])[0][:2] == ("2", "2")
