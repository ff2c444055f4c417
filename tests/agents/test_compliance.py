from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra_mind.agents.base import AgentReport
from infra_mind.agents.compliance import ComplianceAgent
from infra_mind.agents.plan import priced_plan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import EvidenceKind, Priority, Recommendation
from infra_mind.domain.input_rules import parse_input
from infra_mind.domain.outputs import ComplianceOutput
from infra_mind.domain.outputs.compliance import FrameworkStatus
from infra_mind.engine.validation import build_context
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Provider
from tests.agents.helpers import quiet, run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]


async def _run(knowledge: Knowledge, ctx: AssessmentContext) -> tuple[AgentReport, ComplianceOutput]:
    return await run_agent(ComplianceAgent(knowledge), ctx, ComplianceOutput)


def _status(output: ComplianceOutput, framework: str) -> FrameworkStatus:
    return next(s for s in output.frameworks if s.framework == framework)


def _by_key(report: AgentReport) -> dict[str, Recommendation]:
    return {r.key: r for r in report.recommendations}


async def test_healthtech_hipaa_gaps(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, make_context(healthtech))

    hipaa = _status(output, "hipaa")
    assert hipaa.declared
    assert hipaa.controls_total == len(knowledge.controls(Framework.HIPAA))
    assert hipaa.met_now == 2
    assert hipaa.met_now < hipaa.met_by_design
    assert hipaa.met_now + len(hipaa.closed_by_design) == hipaa.met_by_design
    assert hipaa.met_by_design + len(hipaa.gaps) == hipaa.controls_total
    baa_gap = next(g for g in hipaa.gaps if g.control_id == "164.308(b)(1)")
    assert baa_gap.procedural
    assert baa_gap.missing_controls == []
    assert baa_gap.evidence_needed
    assert all(g.procedural for g in hipaa.gaps)
    coverage = f"{hipaa.met_now}/{hipaa.controls_total}"
    assert any(f.id == "coverage-hipaa" and coverage in f.title for f in report.findings)


async def test_procedural_gaps_and_audit_evidence(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, make_context(healthtech))

    group = next(g for g in output.evidence_by_framework if g.framework == "hipaa")
    baa = next(i for i in group.items if i.item.startswith("Signed BAAs"))
    assert baa.controls == ["164.308(b)(1)"]
    assert len(output.audit_evidence) == len(set(output.audit_evidence))
    rec = _by_key(report)["compliance:hipaa"]
    procedural = sum(1 for g in _status(output, "hipaa").gaps if g.procedural)
    assert f"{procedural} need a documented process" in rec.title
    assert any("procedural controls" in action for action in rec.actions)


async def test_payment_card_data_adds_pci_dss(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["security"]["data_types"].append("payment_card")

    report, output = await _run(knowledge, make_context(healthtech))

    pci = _status(output, "pci_dss")
    assert not pci.declared
    assert pci.controls_total == len(knowledge.controls(Framework.PCI_DSS))
    assert {"compliance:pci_dss", "compliance:pci_responsibility_matrix"} <= _by_key(report).keys()


async def test_no_edge_cache_note_without_residency(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"]["data_residency"] = []

    _, output = await _run(knowledge, make_context(healthtech))

    assert not [f for f in output.placement if f.rule == "edge_cache"]


async def test_eu_residency_keeps_preferred_us_region_out(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["customer_markets"] = ["europe"]
    healthtech["compliance"]["data_residency"] = ["EU"]
    healthtech["providers"]["preferred_regions"] = ["us-east-1"]

    report, output = await _run(knowledge, make_context(healthtech))

    preferred = [f for f in output.placement if f.rule == "preferred_region"]
    assert [(f.provider, f.region, f.allowed) for f in preferred] == [("aws", "us-east-1", False)]
    assert not [f for f in output.placement if f.rule == "residency"]
    pinned = _by_key(report)["residency:EU"]
    assert pinned.regions
    for code in pinned.regions:
        region = knowledge.region(Provider(pinned.provider or ""), code)
        assert region is not None
        assert region.jurisdiction == "EU"


async def test_fedramp_region_outside_the_boundary_is_flagged(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["industry"] = "government"
    healthtech["compliance"] = {"frameworks": ["fedramp"], "data_residency": []}
    healthtech["providers"]["preferred_regions"] = ["eu-west-1"]

    report, output = await _run(knowledge, make_context(healthtech))

    flag = next(f for f in output.placement if f.rule == "fedramp_boundary" and f.region == "eu-west-1")
    assert flag.provider == "aws"
    assert not flag.allowed
    assert flag.framework == "fedramp"
    assert any(f.id == "placement-fedramp_boundary-aws-eu-west-1" for f in report.findings)
    assert "control:ddos_protection" in _by_key(report)


async def test_gdpr_without_eu_residency_flags_the_transfer(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["industry"] = "technology"
    healthtech["company"]["customer_markets"] = ["north_america", "europe"]
    healthtech["security"]["data_types"] = ["personal"]
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}

    report, output = await _run(knowledge, make_context(healthtech))

    transfers = [f for f in output.placement if f.rule == "gdpr_transfer"]
    assert transfers
    assert all("art. 46" in f.problem and f.severity == "high" for f in transfers)
    assert "compliance:dpa" in _by_key(report)
    gdpr_rec = _by_key(report)["compliance:gdpr"]
    assert any(action.startswith("Resolve the placement") for action in gdpr_rec.actions)


async def test_no_framework_says_so(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["industry"] = "technology"
    healthtech["security"]["data_types"] = []
    healthtech["security"]["data_classification"] = "internal"
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}

    report, output = await _run(knowledge, make_context(healthtech))

    assert output.frameworks == []
    assert output.eligibility == []
    assert report.findings[0].id == "no-framework"
    assert "technology" in report.findings[0].detail
    assert report.recommendations == []
    assert report.summary.startswith("No compliance framework applies")


async def test_no_framework_with_confidential_data_gets_basics_only(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["industry"] = "technology"
    healthtech["security"]["data_types"] = []
    healthtech["security"]["data_classification"] = "confidential"
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}

    report, _ = await _run(knowledge, make_context(healthtech))

    assert set(_by_key(report)) == {"control:encryption_at_rest", "control:rbac", "control:backup_encryption"}


async def test_every_recommendation_has_evidence(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["security"]["data_types"].append("payment_card")

    report, _ = await _run(knowledge, make_context(healthtech))

    assert report.recommendations
    for rec in report.recommendations:
        kinds = {e.kind for e in rec.evidence}
        assert kinds & {EvidenceKind.CONTROL, EvidenceKind.INPUT}, rec.key
        assert rec.best_practices, rec.key
        assert rec.agents == ["compliance"]
    for rec in report.recommendations:
        if rec.key.startswith(("control:", "compliance:")):
            assert any(e.kind is EvidenceKind.CONTROL and e.source for e in rec.evidence), rec.key


async def test_control_keys_for_missing_required_controls(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, _ = await _run(knowledge, make_context(healthtech))

    required = {c.value for control in knowledge.controls(Framework.HIPAA) for c in control.requires}
    existing = set(healthtech["security"]["existing_controls"])
    keys = {k for k in _by_key(report) if k.startswith("control:")}
    assert keys == {f"control:{c}" for c in required - existing}
    assert "control:encryption_in_transit" not in keys


async def test_design_controls_follow_the_requirements(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [w for w in healthtech["workloads"] if w["type"] == "database"]
    healthtech["team"].update(size=6, devops_engineers=1, data_engineers=1, ml_engineers=1)
    healthtech["company"]["industry"] = "technology"
    healthtech["company"]["customer_markets"] = ["europe"]
    healthtech["security"]["data_types"] = ["personal"]
    healthtech["security"]["data_classification"] = "restricted"
    healthtech["compliance"] = {"frameworks": [], "data_residency": ["EU"]}

    _, output = await _run(knowledge, make_context(healthtech))

    design = {d.control: d for d in output.design_controls}
    assert "ddos_protection" not in design
    assert "sso" not in design
    assert design["dlp"].reasons == ["data classified restricted"]
    assert design["mfa"].in_place


async def test_critical_compliance_goal_raises_the_framework_priority(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    urgent, _ = await _run(knowledge, make_context(healthtech))
    healthtech["goals"][0]["priority"] = "high"
    calm, _ = await _run(knowledge, make_context(healthtech))

    assert _by_key(urgent)["compliance:hipaa"].priority is Priority.CRITICAL
    assert _by_key(calm)["compliance:hipaa"].priority is Priority.HIGH
    assert _by_key(urgent)["control:audit_logging"].priority is Priority.HIGH


async def test_service_eligibility_of_the_plan(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, ctx)

    chosen = {c.kind: c for c in output.eligibility if c.chosen}
    assert chosen["managed_postgresql"].eligible == ["hipaa"]
    assert chosen["load_balancer_capacity"].catalog_kind == "load_balancer"
    assert chosen["compute"].catalog_kind is None
    assert chosen["compute"].note.startswith("not in the eligibility catalog")
    assert chosen["compute"].eligible == chosen["compute"].not_eligible == []
    assert {c.provider for c in output.eligibility} == {
        q.provider for q in priced_plan(ctx, knowledge).quotes
    }
    assert any(f.id == "eligibility-estimates" for f in report.findings)


async def test_nist_csf_is_not_checked_for_eligibility(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"]["frameworks"] = ["hipaa", "nist_csf"]

    _, output = await _run(knowledge, make_context(healthtech))

    assert _status(output, "nist_csf").controls_total > 0
    assert all("nist_csf" not in c.eligible + c.not_eligible for c in output.eligibility)


async def test_ineligible_service_is_flagged(healthtech: dict[str, Any], tmp_path: Path) -> None:
    knowledge = _knowledge_without(tmp_path, kind="managed_postgresql", framework="hipaa")

    report, output = await _run(knowledge, build_context(parse_input(healthtech), knowledge))

    database = next(c for c in output.eligibility if c.chosen and c.kind == "managed_postgresql")
    assert database.not_eligible == ["hipaa"]
    finding = next(f for f in report.findings if f.id == f"ineligible-{database.provider}-managed_postgresql")
    assert finding.severity == "high"
    assert any(
        a.startswith("Keep HIPAA-scoped data off") for a in _by_key(report)["compliance:hipaa"].actions
    )


async def test_deterministic_and_reports_progress(
    knowledge: Knowledge, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    calls: list[float] = []

    async def progress(pct: float, message: str) -> None:
        calls.append(pct)

    first = await ComplianceAgent(knowledge).run(ctx, progress)
    second = await ComplianceAgent(knowledge).run(ctx, quiet)

    assert calls
    assert calls == sorted(calls)
    assert first.output is not None
    assert second.output is not None
    assert first.output.model_dump() == second.output.model_dump()
    assert [r.model_dump() for r in first.recommendations] == [r.model_dump() for r in second.recommendations]
    assert ComplianceOutput.model_validate_json(first.output.model_dump_json()) == first.output


def _knowledge_without(tmp_path: Path, *, kind: str, framework: str) -> Knowledge:
    data = tmp_path / "data"
    shutil.copytree(packaged_data_dir(), data)
    path = data / "compliance" / "eligibility.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    for record in catalog["records"]:
        if record["kind"] == kind:
            record["frameworks"] = [f for f in record["frameworks"] if f != framework]
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return Knowledge.load(data)
