from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.bom import uses_kubernetes
from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.infrastructure import InfrastructureAgent
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import EvidenceKind, Recommendation
from infra_mind.domain.outputs import CloudEngineerOutput, CtoOutput, InfrastructureOutput
from infra_mind.knowledge.catalog import Knowledge
from tests.agents.helpers import quiet

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


def _by_key(report: AgentReport, key: str) -> Recommendation:
    return next(r for r in report.recommendations if r.key == key)


async def test_both_agents_propose_the_same_cdn_recommendation(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    cloud = _by_key(await CloudEngineerAgent(knowledge).run(ctx, quiet), "edge:cdn")
    infra = _by_key(await InfrastructureAgent(knowledge).run(ctx, quiet), "edge:cdn")
    assert cloud.model_dump(exclude={"id", "agents", "rationale"}) == infra.model_dump(
        exclude={"id", "agents", "rationale"}
    )
    assert infra.rationale.startswith(cloud.rationale + "; ")


async def test_sla_and_dr_records_are_catalog_records_and_sizing_rules_assumptions(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report = await InfrastructureAgent(knowledge).run(make_context(healthtech), quiet)
    evidence = [e for r in report.recommendations for e in r.evidence]
    kinds = {e.ref.split(":")[0]: e.kind for e in evidence if e.ref.startswith(("sla:", "dr:", "sizing:"))}
    assert kinds == {
        "sla": EvidenceKind.CATALOG_RECORD,
        "dr": EvidenceKind.CATALOG_RECORD,
        "sizing": EvidenceKind.ASSUMPTION,
    }
    assert all(e.source and e.as_of for e in evidence if e.kind is EvidenceKind.CATALOG_RECORD)


async def test_no_cluster_without_always_on_compute(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["team"]["kubernetes_expertise"] = 4
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] == "database"]
    ctx = make_context(healthtech)
    report = await InfrastructureAgent(knowledge).run(ctx, quiet)
    assert isinstance(report.output, InfrastructureOutput)
    assert uses_kubernetes(ctx.requirements)
    assert "cluster_name" not in report.output.terraform


@pytest.mark.parametrize("example", ["healthtech-hipaa", "eu-fintech-pci", "llm-scaleup"])
async def test_the_roadmap_lands_each_workload_on_the_service_the_cloud_engineer_chose(
    knowledge: Knowledge, example_inputs: dict[str, dict[str, Any]], make_context: MakeContext, example: str
) -> None:
    ctx = make_context(example_inputs[example])
    cloud = (await CloudEngineerAgent(knowledge).run(ctx, quiet)).output
    cto = (await CtoAgent(knowledge).run(ctx, quiet)).output
    assert isinstance(cloud, CloudEngineerOutput)
    assert isinstance(cto, CtoOutput)

    landing = {}
    for deliverable in cto.roadmap[1].deliverables:
        if deliverable.startswith(("Build ", "Migrate ")) and " onto " in deliverable:
            names, target = deliverable.split(" ", 1)[1].split(" onto ", 1)
            for name in re.sub(r" \([^)]*\)", "", names).split(", "):
                landing[name] = target
    assert set(landing) == {c.workload for c in cloud.service_choices}
    for choice in cloud.service_choices:
        product = choice.services.get("database") or choice.services["compute"]
        assert product in landing[choice.workload], (choice.workload, landing[choice.workload])
