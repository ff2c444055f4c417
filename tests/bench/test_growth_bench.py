from __future__ import annotations

from pathlib import Path

import pytest

from bench import growth, growth_inputs
from infra_mind.knowledge.catalog import Knowledge

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
BASE = next(e for e in EXAMPLES if e.stem == "healthtech-hipaa")


def test_full_size_inputs_validate_and_grow_as_named(knowledge: Knowledge) -> None:
    curves = growth_inputs.curves(BASE, EXAMPLES, knowledge)

    workloads, frameworks, regions = curves["workloads"], curves["frameworks"], curves["regions"]
    assert [s.size for s in workloads] == [len(s.spec.workloads) for s in workloads] == [1, 5, 10, 25, 50]
    assert all(len({w.name for w in s.spec.workloads}) == s.size for s in workloads)
    assert [s.size for s in frameworks] == [len(s.spec.compliance.frameworks) for s in frameworks]
    assert [s.size for s in frameworks] == [1, 2, 4, 8]
    sizes = [s.size for s in regions]
    assert sizes == sorted(sizes)
    assert sizes[0] == 4
    assert sizes[-1] == len(knowledge.all_regions())


@pytest.mark.slow
def test_every_point_of_a_curve_is_timed_and_weighed(knowledge: Knowledge) -> None:
    inputs = growth_inputs.curves(BASE, EXAMPLES, knowledge, workloads=(1, 3), frameworks=(), residency=())
    inputs = {axis: sized for axis, sized in inputs.items() if sized}

    [curve] = growth.measure(inputs, knowledge, repeats=1)

    assert curve.axis == "workloads"
    assert [p.size for p in curve.points] == [1, 3]
    assert all(p.median_ms > 0 and p.peak_mib > 0 for p in curve.points)
    assert curve.time_growth == pytest.approx(curve.points[1].median_ms / curve.points[0].median_ms)
    assert curve.size_growth == 3
    rows = growth.table_rows(curve)
    assert [r[0] for r in rows] == ["1 workloads", "3 workloads", "last ÷ first (input ×3)"]
    assert growth.as_json([curve])[0]["memory_growth"] == curve.memory_growth
