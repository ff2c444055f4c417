from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from bench.mockllm import MockLlm
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from infra_mind.config import load_settings
from infra_mind.domain.assessment import AssessmentResult, RunStatus
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.orchestrator import Mode
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.observability.metrics import Metrics

AGENTS = 11


def assess(
    knowledge: Knowledge, raw: dict[str, Any], mode: Mode = Mode.PARALLEL, **settings: Any
) -> AssessmentResult:
    pipeline = build_pipeline(
        load_settings(**settings), knowledge, InMemoryEventBus(), report_formats=("md",)
    )

    async def go() -> AssessmentResult:
        try:
            return (await pipeline.run(parse_input(raw), run_id="r", mode=mode)).result
        finally:
            await pipeline.aclose()

    return asyncio.run(go())


def samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def total(metrics: Metrics, name: str) -> float:
    return sum(v for (sample, _), v in samples(metrics).items() if sample == name)


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def offline_result(knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]]) -> AssessmentResult:
    return assess(knowledge, example_inputs["healthtech-hipaa"])


def test_an_offline_run_is_recorded_with_its_labels(offline_result: AssessmentResult) -> None:
    metrics = Metrics()
    metrics.run_started("parallel")
    metrics.record_run(offline_result)
    status = offline_result.status.value
    assert offline_result.status is RunStatus.COMPLETED
    assert value(metrics, "infra_mind_runs_started_total", mode="parallel") == 1
    assert value(metrics, "infra_mind_runs_finished_total", mode="parallel", status=status) == 1
    assert value(metrics, "infra_mind_run_duration_seconds_count", mode="parallel", status=status) == 1
    assert value(metrics, "infra_mind_run_duration_seconds_sum", mode="parallel", status=status) == (
        pytest.approx(offline_result.execution_metrics.total_time)
    )
    assert len(offline_result.agents) == AGENTS
    for name, agent in offline_result.agents.items():
        labels = {"agent": name, "status": agent.status.value}
        assert value(metrics, "infra_mind_agent_outcomes_total", **labels) == 1
        assert value(metrics, "infra_mind_agent_duration_seconds_count", **labels) == 1
        assert value(metrics, "infra_mind_agent_duration_seconds_sum", **labels) == pytest.approx(
            offline_result.execution_metrics.agent_times[name]
        )
    assert not any(name.startswith("infra_mind_llm_calls") for name, _ in samples(metrics))


def test_an_llm_run_records_calls_tokens_and_cost_per_agent_and_model(
    mock_llm: MockLlm, knowledge: Knowledge, healthtech: dict[str, Any], tmp_path: Path
) -> None:
    result = assess(
        knowledge,
        healthtech,
        llm_provider="openai",
        llm_base_url=mock_llm.base_url,
        llm_model="mock-llm",
        llm_agent_header="X-Mock-Agent",
        llm_cache_enabled=False,
        llm_cache_dir=tmp_path,
        llm_price_input_usd_per_mtok=2.5,
        llm_price_output_usd_per_mtok=10.0,
        agent_retries=0,
    )
    metrics = Metrics()
    metrics.record_run(result)
    llm = result.execution_metrics.llm
    assert llm.calls > 0
    for agent, counts in llm.agents.items():
        labels = {"agent": agent, "model": "mock-llm"}
        assert value(metrics, "infra_mind_llm_calls_total", **labels) == counts.calls
        assert value(metrics, "infra_mind_llm_tokens_in_total", **labels) == counts.tokens_in
        assert value(metrics, "infra_mind_llm_tokens_out_total", **labels) == counts.tokens_out
        assert value(metrics, "infra_mind_llm_cost_usd_total", **labels) == pytest.approx(
            counts.known_cost_usd
        )
    assert total(metrics, "infra_mind_llm_tokens_in_total") == llm.tokens_in > 0
    assert total(metrics, "infra_mind_llm_cost_usd_total") == pytest.approx(
        llm.known_cost_usd, abs=1e-6 * len(llm.agents)
    )  # each agent's cost is rounded
    assert llm.known_cost_usd > 0


def test_calls_refused_by_the_budget_are_counted(
    mock_llm: MockLlm, knowledge: Knowledge, healthtech: dict[str, Any], tmp_path: Path
) -> None:
    result = assess(
        knowledge,
        healthtech,
        Mode.SEQUENTIAL,  # the first call spends the budget before the next one asks
        llm_provider="openai",
        llm_base_url=mock_llm.base_url,
        llm_model="mock-llm",
        llm_cache_enabled=False,
        llm_cache_dir=tmp_path,
        llm_budget_tokens=1,
        agent_retries=0,
    )
    metrics = Metrics()
    metrics.record_run(result)
    refused = result.execution_metrics.llm.refused_calls
    assert refused > 0
    assert total(metrics, "infra_mind_llm_refused_calls_total") == refused


def test_http_requests_queue_and_in_flight() -> None:
    metrics = Metrics()
    metrics.observe_http("get", "/api/v1/runs/{run_id}", 200, 0.012)
    metrics.observe_http("GET", "/api/v1/runs/{run_id}", 200, 0.3)
    metrics.observe_http("POST", "/api/v1/assessments/{assessment_id}/analyze", 409, 0.004)
    metrics.set_queue(queued=3, in_flight=2)
    route = {"method": "GET", "route": "/api/v1/runs/{run_id}", "status": "200"}
    assert value(metrics, "infra_mind_http_requests_total", **route) == 2
    assert value(metrics, "infra_mind_http_request_duration_seconds_bucket", **route, le="0.025") == 1
    assert value(metrics, "infra_mind_http_request_duration_seconds_sum", **route) == pytest.approx(0.312)
    conflict = {"method": "POST", "route": "/api/v1/assessments/{assessment_id}/analyze", "status": "409"}
    assert value(metrics, "infra_mind_http_requests_total", **conflict) == 1
    assert value(metrics, "infra_mind_queue_depth") == 3
    assert value(metrics, "infra_mind_runs_in_flight") == 2


def test_two_metrics_objects_share_no_state_nor_the_global_registry(offline_result: AssessmentResult) -> None:
    first, second = Metrics(), Metrics()
    first.record_run(offline_result)
    first.observe_http("GET", "/health", 200, 0.001)
    assert value(first, "infra_mind_http_requests_total", method="GET", route="/health", status="200") == 1
    body, _ = second.render()
    assert not re.search(r"^infra_mind_\w+\{", body.decode(), re.MULTILINE)
    assert REGISTRY.get_sample_value("infra_mind_http_requests_total", {"method": "GET"}) is None
    assert first.registry is not second.registry
