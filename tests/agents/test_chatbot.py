from __future__ import annotations

import time
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import pytest

from infra_mind.agents import chatbot
from infra_mind.agents.base import AgentReport
from infra_mind.agents.chatbot import TOPICS, ChatbotAgent, Topic
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import EvidenceKind
from infra_mind.domain.outputs.chatbot import ChatAnswer, ChatbotOutput
from infra_mind.knowledge.catalog import Knowledge

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, ChatbotOutput]:
    async def quiet(pct: float, message: str) -> None:
        return None

    report = await ChatbotAgent(knowledge).run(ctx, quiet)
    output = report.output
    assert isinstance(output, ChatbotOutput)
    return report, output


def _answer(output: ChatbotOutput, topic: str) -> ChatAnswer:
    return next(s.answer for s in output.suggested if s.topic == topic)


def _refs(reply: ChatAnswer) -> list[str]:
    return [c.ref for c in reply.citations]


async def test_healthtech_index_and_suggested_answers(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, ctx)

    stats = output.index
    assert stats.passages == sum(stats.by_kind.values())
    assert stats.by_kind["framework"] == 1
    assert stats.by_kind["default"] == len(ctx.defaults) == 3
    assert stats.passages >= len(ctx.requirements.workloads) + len(ctx.profile.rules)
    assert (stats.k1, stats.b) == (1.2, 0.75)
    assert {s.topic for s in output.suggested} == {t.name for t in TOPICS} - {"warnings"}
    assert all(s.answer.grounded and s.answer.citations for s in output.suggested)

    frameworks = _answer(output, "frameworks")
    assert _refs(frameworks) == ["constraints.frameworks.hipaa"]
    assert "health data of patients in the US market" in frameworks.answer

    redundancy = _answer(output, "redundancy")
    assert redundancy.citations[0].ref == "constraints.zones_required"
    assert "2 availability zone(s) and 1 region(s) required" in redundancy.answer
    assert "performance.uptime_target_pct = 99.9 %" in redundancy.answer

    regions = _answer(output, "regions")
    assert set(_refs(regions)) == {f"constraints.allowed_regions.{p}" for p in ("aws", "azure", "gcp")}
    assert "us-east-1: US East (N. Virginia), US, jurisdiction US" in regions.answer
    aws = next(c for c in regions.citations if c.ref.endswith(".aws"))
    assert aws.source
    assert aws.as_of

    budget = _answer(output, "budget")
    assert "Monthly budget ceiling $9,900.00" in budget.answer
    assert "budget.monthly_limit_usd $9,000.00 × 1.1 for moderate flexibility" in budget.answer

    assert _refs(_answer(output, "load"))[0] == "profile"
    assert f"peak {ctx.profile.peak_rps:g} req/s" in _answer(output, "load").answer
    assert "60,000 at 24 months" in _answer(output, "growth").answer
    assert "AI/ML workloads: triage-model" in _answer(output, "ai").answer
    security = _answer(output, "security").answer
    assert "required but not in place: encryption_at_rest, rbac" in security
    assert set(_refs(_answer(output, "defaults"))) == {d.field for d in ctx.defaults}

    assert report.recommendations == []
    assert [f.id for f in report.findings] == ["chat-index", "chat-suggested-questions"]
    assert all(f.evidence for f in report.findings)
    cited = next(f for f in report.findings if f.id == "chat-suggested-questions").evidence
    kinds = {e.ref: e.kind for e in cited}
    assert kinds["growth"] is EvidenceKind.INPUT
    assert kinds["constraints.zones_required"] is EvidenceKind.DERIVED
    assert f"{stats.passages} passages" in report.summary
    assert ChatbotOutput.model_validate(output.model_dump()) == output


async def test_progress_is_reported(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    calls: list[tuple[float, str]] = []

    async def record(pct: float, message: str) -> None:
        calls.append((pct, message))

    await ChatbotAgent(knowledge).run(make_context(healthtech), record)
    assert [pct for pct, _ in calls] == [50, 90]
    assert "passages" in calls[0][1]


async def test_runs_are_deterministic(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    first, second = await _run(knowledge, ctx), await _run(knowledge, ctx)
    assert first[1] == second[1]
    assert first[0].findings == second[0].findings


async def test_no_ai_workloads(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] != "ml_inference"]
    del healthtech["ai_ml"]
    _, output = await _run(knowledge, make_context(healthtech))
    ai = _answer(output, "ai")
    assert ai.citations[0].ref == "ai_ml"
    assert ai.citations[0].title == "No AI or ML workload"
    assert "no ML training, ML inference or LLM workload" in ai.answer


async def test_no_compliance_duties(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    healthtech["security"]["data_types"] = []
    ctx = make_context(healthtech)
    assert ctx.constraints.frameworks == ()
    _, output = await _run(knowledge, ctx)
    frameworks = _answer(output, "frameworks")
    assert _refs(frameworks) == ["constraints.frameworks"]
    assert frameworks.answer.startswith("[1] No compliance framework applies: none is declared")
    regions = _answer(output, "regions")
    assert "no data-residency restriction" in regions.answer
    assert output.index.by_kind["framework"] == 1


async def test_tiny_budget(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"] = {"monthly_limit_usd": 1, "flexibility": "strict"}
    _, output = await _run(knowledge, make_context(healthtech))
    budget = _answer(output, "budget")
    assert "Monthly budget ceiling $1.00" in budget.answer
    assert "budget.monthly_limit_usd $1.00 × 1 for strict flexibility" in budget.answer
    assert "36-month total" not in budget.answer


async def test_huge_scale(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    portal = healthtech["workloads"][0]
    healthtech["workloads"] = [
        {**deepcopy(portal), "name": f"portal-{i}", "requests_per_second": 50_000} for i in range(200)
    ]
    healthtech["growth"] = {
        "current_users": 50_000_000,
        "users_6m": 60_000_000,
        "users_12m": 80_000_000,
        "users_24m": 120_000_000,
    }
    ctx = make_context(healthtech)
    started = time.perf_counter()
    _, output = await _run(knowledge, ctx)
    elapsed = time.perf_counter() - started
    assert output.index.by_kind["requirement"] >= 200
    load = _answer(output, "load")
    assert load.citations[0].ref == "profile"
    assert f"peak {ctx.profile.peak_rps:g} req/s" in load.answer
    assert "120,000,000 at 24 months" in _answer(output, "growth").answer
    assert elapsed < 1.0


async def test_validation_warnings_are_answered(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext
) -> None:
    ctx = make_context(deepcopy(example_inputs["eu-fintech-pci"]))
    assert ctx.warnings
    _, output = await _run(knowledge, ctx)
    warnings = _answer(output, "warnings")
    assert {w.field for w in ctx.warnings} <= set(_refs(warnings))
    assert ctx.warnings[0].message in warnings.answer
    assert {"pci_dss", "gdpr"} <= {r.rsplit(".", 1)[-1] for r in _refs(_answer(output, "frameworks"))}


async def test_a_question_the_context_cannot_ground_is_reported(
    knowledge: Knowledge,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    off_topic = Topic("weather", "What is the weather in Paris tomorrow?", "requirement")
    monkeypatch.setattr(chatbot, "TOPICS", (*TOPICS, off_topic))
    report, output = await _run(knowledge, make_context(healthtech))
    assert "weather" not in {s.topic for s in output.suggested}
    unanswered = next(f for f in report.findings if f.id == "chat-unanswered-questions")
    assert unanswered.detail == off_topic.question
    assert unanswered.evidence[0].ref == "question:weather"
    assert unanswered.evidence[0].detail.startswith("No grounded answer")
