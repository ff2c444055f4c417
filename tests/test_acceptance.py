"""Issue-level acceptance: every example runs offline to a grounded, residency-respecting plan."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from infra_mind.config import Settings
from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.input_rules import load_input_file
from infra_mind.domain.outputs import CloudEngineerOutput, InfrastructureOutput
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


@pytest.fixture(scope="module", params=EXAMPLES, ids=[e.stem for e in EXAMPLES])
def run(request: pytest.FixtureRequest) -> tuple[Path, AssessmentResult]:
    pipeline = build_pipeline(Settings(), Knowledge.load(), InMemoryEventBus())
    outcome = asyncio.run(pipeline.run(load_input_file(request.param), run_id=request.param.stem))
    return request.param, outcome.result


def test_completes_with_every_agent(run: tuple[Path, AssessmentResult]) -> None:
    _, result = run
    assert result.status is RunStatus.COMPLETED
    assert all(r.ok for r in result.agents.values())
    assert AssessmentResult.model_validate_json(result.model_dump_json()) == result


def test_every_priced_line_is_grounded(run: tuple[Path, AssessmentResult], knowledge: Knowledge) -> None:
    _, result = run
    cloud = result.agents["cloud_engineer"].output
    assert isinstance(cloud, CloudEngineerOutput)
    for quote in cloud.quotes:
        assert quote.lines
        for line in quote.lines:
            assert all((line.sku, line.region, line.as_of, line.source)), line
            assert line.unit_price_usd > 0
            assert 0 <= line.monthly_usd <= line.quantity * line.unit_price_usd + 0.01
        assert quote.monthly_usd == pytest.approx(sum(line.monthly_usd for line in quote.lines), abs=0.05)
        for missing in quote.missing:
            assert missing.reason


def test_recommended_regions_respect_residency(
    run: tuple[Path, AssessmentResult], knowledge: Knowledge
) -> None:
    example, result = run
    ctx = build_context(load_input_file(example), knowledge)
    allowed = {code for codes in ctx.constraints.allowed_regions.values() for code in codes}
    residency = set(ctx.constraints.residency)
    used = {region for rec in result.recommendations for region in rec.regions}
    infra = result.agents["infrastructure"].output
    assert isinstance(infra, InfrastructureOutput)
    used.add(infra.topology.primary_region)
    if infra.topology.secondary_region:
        used.add(infra.topology.secondary_region)
    assert used <= allowed
    if residency:
        jurisdictions = {r.jurisdiction for r in knowledge.all_regions() if r.code in used}
        assert jurisdictions <= residency


def test_examples_produce_different_plans() -> None:
    knowledge = Knowledge.load()
    plans = set()
    for example in EXAMPLES:
        ctx = build_context(load_input_file(example), knowledge)
        plans.add(
            (
                ctx.framework_ids,
                ctx.constraints.residency,
                ctx.constraints.zones_required,
                ctx.constraints.regions_required,
            )
        )
    assert len(plans) == len(EXAMPLES)
