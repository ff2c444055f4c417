"""Reports read the simulation and security outputs by kind: what they recognise, what they say without."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from infra_mind.config import Settings
from infra_mind.domain.agent_result import AgentResult, AgentStatus
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.optional_outputs import (
    cost_fan,
    output_data,
    purchase_strategies,
    security_gaps,
    threat_model,
)
from infra_mind.reports.render import make_environment, render_reports

MONTHS = 36


class LooseOutput(BaseModel):
    """Stands in for an output model the reports do not import: any fields, a `kind`."""

    model_config = ConfigDict(extra="allow")
    kind: str


def _band(start: float, spread: float) -> dict[str, list[float]]:
    p50 = [start * (1 + 0.02 * m) for m in range(MONTHS)]
    return {
        "p10": [v * (1 - spread) for v in p50],
        "p50": p50,
        "p90": [v * (1 + spread) for v in p50],
    }


def _strategy(name: str, start: float) -> dict[str, Any]:
    return {
        "strategy": name,
        "description": f"{name} purchasing",
        "monthly_usd": _band(start, 0.1),
        "total_36m_usd": {"p10": start * 30, "p50": start * 36, "p90": start * 42},
        "saving_36m_usd": {"p10": 0.0, "p50": 0.0, "p90": 0.0},
    }


SIMULATION = {
    "runs": 2000,
    "seed": 7,
    "users": {"projection": [1.0] * MONTHS, "simulated": _band(20_000, 0.2)},
    "providers": [
        {"provider": "gcp", "strategies": [_strategy("on_demand", 900.0)]},
        {"provider": "aws", "strategies": [_strategy("commit_1y", 700.0), _strategy("on_demand", 1000.0)]},
    ],
}
SECURITY = {
    "provider": "aws",
    "gaps": [
        {
            "control": "dlp",
            "severity": "high",
            "basis": "restricted data",
            "reasons": [],
            "services": ["Macie"],
        }
    ],
    "components": [
        {
            "component": "edge",
            "name": "Edge and load balancer",
            "threats": [
                {
                    "title": "Volumetric DDoS",
                    "mitigations": ["rate limits", "managed DDoS protection"],
                    "mitigated_by": ["ddos_protection"],
                    "residual_now": "high",
                    "residual_planned": "low",
                }
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def base() -> tuple[AssessmentResult, AssessmentContext]:
    knowledge = Knowledge.load()
    spec = load_input_file(Path(__file__).resolve().parents[2] / "examples" / "healthtech-hipaa.yaml")
    pipeline = build_pipeline(Settings(), knowledge, InMemoryEventBus(), report_formats=("md",))
    outcome = asyncio.run(pipeline.run(spec, run_id="optional"))
    return outcome.result, build_context(spec, knowledge)


def _with(result: AssessmentResult, agent: str, data: dict[str, Any], kind: str = "") -> AssessmentResult:
    fields: dict[str, Any] = {
        "status": AgentStatus.COMPLETED,
        "attempts": 1,
        "output": LooseOutput(kind=kind or agent, **data),
    }
    extra = AgentResult.model_construct(agent=agent, **fields)
    return result.model_copy(update={"agents": {**result.agents, agent: extra}})


def _without(result: AssessmentResult, agent: str) -> AssessmentResult:
    return result.model_copy(update={"agents": {k: v for k, v in result.agents.items() if k != agent}})


def test_the_fan_is_the_chosen_providers_on_demand_cost_band(
    base: tuple[AssessmentResult, AssessmentContext],
) -> None:
    simulation = output_data(_with(base[0], "simulation", SIMULATION), "simulation")
    fan = cost_fan(simulation, "aws")
    assert fan is not None
    assert (fan.provider, fan.strategy) == ("aws", "on_demand")
    assert fan.p50[0] == 1000.0
    assert len(fan.p10) == MONTHS
    assert cost_fan(simulation, "azure") is None
    assert [s.strategy for s in purchase_strategies(simulation, "aws")] == ["commit_1y", "on_demand"]


def test_a_users_band_is_never_taken_for_cost(base: tuple[AssessmentResult, AssessmentContext]) -> None:
    result = _with(base[0], "simulation", {"users": SIMULATION["users"]})
    assert cost_fan(output_data(result, "simulation"), None) is None


def test_an_output_of_another_kind_is_ignored(base: tuple[AssessmentResult, AssessmentContext]) -> None:
    result = _with(base[0], "simulation", SIMULATION, kind="research")
    assert output_data(result, "simulation") is None


def test_threats_per_component_with_residual_risk_now_and_planned(
    base: tuple[AssessmentResult, AssessmentContext],
) -> None:
    security = output_data(_with(base[0], "security", SECURITY), "security")
    rows = threat_model(security)
    assert rows is not None
    assert len(rows) == 1
    row = rows[0]
    assert row.component == "Edge and load balancer"
    assert row.threat == "Volumetric DDoS"
    assert row.mitigations == "rate limits; managed DDoS protection"
    assert row.residual_risk == "now: high; planned: low"
    assert [(g.control, g.severity, g.services) for g in security_gaps(security)] == [
        ("dlp", "high", "Macie")
    ]


def test_cfo_and_ciso_show_the_simulation_and_the_threat_model(
    base: tuple[AssessmentResult, AssessmentContext],
) -> None:
    result = _with(_with(base[0], "simulation", SIMULATION), "security", SECURITY)
    files = {
        r.filename: str(r.content)
        for r in render_reports(result, base[1], ("md", "html"), make_environment())
    }
    cfo, ciso = files["cfo.md"], files["ciso.md"]
    assert "Simulated monthly cost of aws on_demand" in cfo
    assert "| commit_1y | commit_1y purchasing | $21,000.00 | $25,200.00 | $29,400.00 | $0.00 |" in cfo
    assert "P10–P90" in files["cfo.html"]
    assert "| Edge and load balancer | Volumetric DDoS | rate limits; managed DDoS protection |" in ciso
    assert "| high | dlp | restricted data | Macie |" in ciso
    assert "security` agent" not in ciso


def test_without_them_the_sections_say_what_is_missing(
    base: tuple[AssessmentResult, AssessmentContext],
) -> None:
    result = _with(_without(base[0], "simulation"), "security", {"provider": "aws"})
    files = {r.filename: str(r.content) for r in render_reports(result, base[1], ("md",), make_environment())}
    assert "the `simulation` agent was not part of this run" in files["cfo.md"]
    assert "carries no per-component threat model" in files["ciso.md"]
