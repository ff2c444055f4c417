from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.compliance import ComplianceAgent
from infra_mind.agents.compliance.playbook import CONTROL_PLAYS
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.security import SecurityAgent
from infra_mind.agents.security.gaps import gap_severity
from infra_mind.agents.security.needs import Need
from infra_mind.agents.security.threat_model import mitigated_likelihood, overall
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework, Level, SecurityControl
from infra_mind.domain.findings import EvidenceKind, Priority, Recommendation, Severity
from infra_mind.domain.outputs.security import SecurityOutput, ThreatAssessment
from infra_mind.domain.requirements import DataClassification
from infra_mind.engine.synthesis import merge
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.threats import Billing, ComponentKind, Safeguard, ThreatCatalog
from tests.agents.helpers import quiet, run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
LEVELS = ("low", "medium", "high")
TECHNIQUE = re.compile(r"^(T\d{4}(\.\d{3})?|AML\.T\d{4}(\.\d{3})?)$")


@pytest.fixture(scope="module")
def threats() -> ThreatCatalog:
    return ThreatCatalog.load(packaged_data_dir())


async def _run(
    knowledge: Knowledge, threats: ThreatCatalog, ctx: AssessmentContext
) -> tuple[AgentReport, SecurityOutput]:
    return await run_agent(SecurityAgent(knowledge, threats), ctx, SecurityOutput)


def _by_key(report: AgentReport) -> dict[str, Recommendation]:
    return {r.key: r for r in report.recommendations}


def _threats(output: SecurityOutput) -> list[ThreatAssessment]:
    return [t for c in output.components for t in c.threats]


def _without_ai(raw: dict[str, Any]) -> dict[str, Any]:
    ai_types = {"ml_training", "ml_inference", "llm_application"}
    raw["workloads"] = [w for w in raw["workloads"] if w["type"] not in ai_types]
    raw["ai_ml"] = {"maturity": "none"}
    raw["goals"] = [g for g in raw["goals"] if g["category"] != "ai_adoption"]
    return raw


def test_catalog_is_consistent_with_the_knowledge_base(knowledge: Knowledge, threats: ThreatCatalog) -> None:
    for kind in ComponentKind:
        assert threats.threats(kind), kind
    for t in threats.threats():
        assert all(knowledge.best_practice(bp) for bp in t.best_practices), t.id
        assert all(TECHNIQUE.match(i) for i in t.techniques), t.id
        assert t.mitigated_by or t.owasp_llm, t.id
        assert t.estimate, t.id
    llm = threats.threats(ComponentKind.LLM_API)
    assert {"LLM01:2025", "LLM02:2025", "LLM10:2025"} <= {t.owasp_llm for t in llm}
    for provider in Provider:
        for capability in (*SecurityControl, *Safeguard):
            assert threats.services(provider, capability), (provider, capability)
    cited = {f"{f.value}:{c.control_id}" for f in Framework for c in knowledge.controls(f)}
    for rule in threats.all_rules():
        assert set(rule.cites) <= cited, rule.id
    assert all(threats.reference(ref) for ref in ("stride", "owasp_llm_top10", "mitre_attack", "mitre_atlas"))


def test_a_broken_threat_catalog_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copy(packaged_data_dir() / "threats.json", tmp_path / "threats.json")
    raw = json.loads((tmp_path / "threats.json").read_text())
    raw["records"][0]["stride"] = ["phishing"]
    (tmp_path / "threats.json").write_text(json.dumps(raw))
    with pytest.raises(CatalogInvalid, match=r"threats\.json"):
        ThreatCatalog.load(tmp_path)


def test_owasp_risk_rating_and_mitigation_rules() -> None:
    assert overall(Level.HIGH, Level.HIGH) is Severity.CRITICAL
    assert overall(Level.LOW, Level.HIGH) is Severity.MEDIUM
    assert overall(Level.LOW, Level.LOW) is Severity.INFO
    controls = (SecurityControl.MFA, SecurityControl.SSO)
    assert mitigated_likelihood(Level.HIGH, controls, set()) is Level.HIGH
    assert mitigated_likelihood(Level.HIGH, controls, {SecurityControl.MFA}) is Level.MEDIUM
    assert mitigated_likelihood(Level.HIGH, controls, set(controls)) is Level.LOW
    assert mitigated_likelihood(Level.MEDIUM, (), set(controls)) is Level.MEDIUM


async def test_healthtech_needs_gaps_and_data_rules(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, threats, make_context(healthtech))

    controls = {c.capability: c for c in output.controls}
    existing = {"encryption_in_transit", "mfa"}
    assert {c for c, r in controls.items() if r.in_place} == existing
    cmk = controls["customer_managed_keys"]
    assert cmk.kind == "safeguard"
    assert cmk.in_place is None
    assert cmk.data_rules == ["classification-restricted"]
    assert "classification-restricted" in controls["dlp"].data_rules
    assert "data-health" in controls["audit_logging"].data_rules
    assert controls["monitoring"].requested

    gaps = {g.control: g for g in output.gaps}
    assert set(gaps) == {c for c, r in controls.items() if r.kind == "control" and not r.in_place}
    order = [s.value for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)]
    assert [order.index(g.severity) for g in output.gaps] == sorted(
        order.index(g.severity) for g in output.gaps
    )
    for control in healthtech["security"]["required_controls"]:
        if control not in existing:
            assert gaps[control].severity in {"critical", "high"}, control
    assert gaps["sso"].severity == "medium"
    assert gaps["monitoring"].severity == "critical"
    assert "raised: it mitigates a critical threat" in gaps["monitoring"].basis
    assert any(f.id == "security-gaps" and f.severity is Severity.CRITICAL for f in report.findings)


async def test_gap_recommendations_merge_with_the_compliance_agent(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, threats, ctx)
    security = _by_key(report)
    compliance = _by_key(await ComplianceAgent(knowledge).run(ctx, quiet))

    assert {f"control:{g.control}" for g in output.gaps} <= set(security)
    shared = set(security) & set(compliance)
    assert {"control:encryption_at_rest", "control:audit_logging"} <= shared
    for key in shared:
        assert security[key].title == compliance[key].title == CONTROL_PLAYS[SecurityControl(key[8:])].title
        merged = merge([security[key], compliance[key]])
        assert merged.agents == ["security", "compliance"]
        assert set(security[key].services) <= set(merged.services)


async def test_provider_services_implement_each_control(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, threats, ctx)
    chosen = priced_plan(ctx, knowledge).provider
    assert output.provider == chosen == "aws"

    at_rest = next(c for c in output.controls if c.capability == "encryption_at_rest")
    names = {s.service for s in at_rest.services}
    assert {
        "AWS Key Management Service (KMS)",
        "Azure Key Vault",
        "Cloud Key Management Service (Cloud KMS)",
    } <= (names)
    assert all(s.source.startswith("https://") and s.as_of for s in at_rest.services)
    gaps = {g.control: g for g in output.gaps}
    assert "AWS Shield Standard" in gaps["ddos_protection"].services
    assert gaps["audit_logging"].services == ["AWS CloudTrail"]
    rec = _by_key(report)["control:audit_logging"]
    assert rec.services == ["AWS CloudTrail"]
    assert rec.actions[0].startswith("Use AWS CloudTrail")
    services = [e for e in rec.evidence if e.ref.startswith("service:aws:")]
    assert services
    assert all(e.source and e.as_of for e in services)


async def test_threat_model_covers_each_component_of_the_design(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, threats, ctx)
    plan = priced_plan(ctx, knowledge)

    kinds = [c.component for c in output.components]
    assert kinds == [
        "edge",
        "vms",
        "database",
        "object_storage",
        "backups",
        "ml_serving",
        "cicd_identity",
        "dr_region",
    ]
    by_kind = {c.component: c for c in output.components}
    option = plan.chosen_option
    assert option is not None
    assert by_kind["dr_region"].regions == [option.recovery.secondary]
    assert by_kind["database"].workloads == ["clinical-db"]
    assert "AWS WAF (managed rule groups)" in by_kind["edge"].services
    for t in _threats(output):
        assert t.stride
        assert t.source.startswith("https://")
        assert LEVELS.index(t.residual_planned) <= LEVELS.index(t.residual_now), t.id
        assert set(t.open_planned) <= set(t.open_now), t.id
    db = {t.id: t for t in by_kind["database"].threats}
    assert db["db-network-exposure"].impact == "high"
    assert "health" in db["db-network-exposure"].impact_basis
    assert {f"threats-{k}" for k in kinds} <= {f.id for f in report.findings}


async def test_top_residual_threats_get_recommendations(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, threats, make_context(healthtech))
    recs = _by_key(report)

    assert output.top_threats
    assert {k for k in recs if k.startswith("threat:")} == {f"threat:{t}" for t in output.top_threats}
    assessments = {t.id: t for t in _threats(output)}
    for threat_id in output.top_threats:
        rec = recs[f"threat:{threat_id}"]
        top = assessments[threat_id]
        assert top.residual_planned == "high" or top.open_planned
        assert rec.best_practices
        assert any(e.ref == f"threat:{threat_id}" and e.source for e in rec.evidence)
        assert any(e.ref == "method:rating_model" and e.kind is EvidenceKind.ASSUMPTION for e in rec.evidence)
    leaked = recs["threat:id-leaked-keys"]
    assert leaked.priority is Priority.CRITICAL
    assert "AWS Secrets Manager" in leaked.services


async def test_llm_features_are_modelled_with_owasp_llm_ids(
    knowledge: Knowledge,
    threats: ThreatCatalog,
    example_inputs: dict[str, dict[str, Any]],
    make_context: MakeContext,
) -> None:
    report, output = await _run(knowledge, threats, make_context(deepcopy(example_inputs["llm-scaleup"])))
    by_kind = {c.component: c for c in output.components}

    assert {"llm_api", "llm_self_hosted", "ml_training", "kubernetes"} <= set(by_kind)
    assert by_kind["llm_api"].workloads == ["writing-assistant"]
    assert by_kind["llm_self_hosted"].workloads == ["summariser-8b"]
    injection = next(t for t in by_kind["llm_api"].threats if t.id == "llm-prompt-injection")
    assert injection.owasp_llm == "LLM01:2025"
    assert "AML.T0051" in injection.techniques
    assert "llm_guardrails" in injection.open_planned
    assert "llm-prompt-injection" in output.top_threats
    rec = _by_key(report)["threat:llm-prompt-injection"]
    guardrails = threats.services(Provider(output.provider or ""), Safeguard.LLM_GUARDRAILS)
    assert rec.services == [s.service for s in guardrails]
    assert any(e.ref == "method:owasp_llm_top10" for e in rec.evidence)
    assert any(t.id == "app-container-escape" for t in by_kind["kubernetes"].threats)


async def test_no_ai_workloads_means_no_ai_threats(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(knowledge, threats, make_context(_without_ai(healthtech)))

    ai = {"ml_serving", "ml_training", "llm_api", "llm_self_hosted"}
    assert not ai & {c.component for c in output.components}
    assert not any(t.owasp_llm or any(i.startswith("AML.") for i in t.techniques) for t in _threats(output))
    assert not any(k.startswith(("threat:ml-", "threat:llm-")) for k in _by_key(report))
    scope = next(f for f in report.findings if f.id == "security-ai-scope")
    assert scope.title.startswith("No ML or LLM component")


async def test_no_compliance_duties(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    healthtech["security"].update(data_types=[], data_classification="internal")
    ctx = make_context(healthtech)
    assert ctx.constraints.frameworks == ()
    report, output = await _run(knowledge, threats, ctx)

    assert {r for c in output.controls for r in c.data_rules} == {"classification-internal"}
    assert all(c.kind == "control" for c in output.controls)
    assert not any("required by" in reason for c in output.controls for reason in c.reasons)
    assert not any(k.startswith("safeguard:") for k in _by_key(report))
    assert "dlp" not in {c.capability for c in output.controls}
    db = {t.id: t for c in output.components if c.component == "database" for t in c.threats}
    assert db["db-network-exposure"].impact == "medium"
    assert db["db-network-exposure"].impact_basis == "catalog rating medium (data classified internal)"


async def test_payment_card_data_needs_keys_and_secrets(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["security"].update(data_types=["payment_card"], data_classification="confidential")
    report, output = await _run(knowledge, threats, make_context(healthtech))

    controls = {c.capability: c for c in output.controls}
    assert controls["customer_managed_keys"].data_rules == ["data-payment_card"]
    assert controls["secrets_management"].data_rules == ["data-payment_card"]
    rec = _by_key(report)["safeguard:secrets_management"]
    assert any(e.ref == "pci_dss:8.6.2" and e.kind is EvidenceKind.CONTROL for e in rec.evidence)
    assert rec.confidence < _by_key(report)["control:firewall"].confidence


async def test_every_control_in_place_leaves_no_gaps(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["security"]["existing_controls"] = [c.value for c in SecurityControl]
    report, output = await _run(knowledge, threats, make_context(healthtech))

    assert output.gaps == []
    assert not any(k.startswith("control:") for k in _by_key(report))
    gaps = next(f for f in report.findings if f.id == "security-gaps")
    assert gaps.severity is Severity.INFO
    for t in _threats(output):
        if all(m in {c.value for c in SecurityControl} for m in t.mitigated_by):
            assert t.residual_now == t.residual_planned, t.id


async def test_tiny_budget_proposes_services_at_no_extra_charge(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"].update(monthly_limit_usd=50, total_min_usd=None, total_max_usd=None)
    ctx = make_context(healthtech)
    report, output = await _run(knowledge, threats, ctx)
    provider = Provider(output.provider or "")

    finding = next(f for f in report.findings if f.id == "security-budget")
    assert "over the budget ceiling" in finding.title
    assert "over the monthly budget" in finding.detail
    ddos = _by_key(report)["control:ddos_protection"]
    included = [
        s.service
        for s in threats.services(provider, SecurityControl.DDOS_PROTECTION)
        if s.billing is Billing.INCLUDED
    ]
    assert included
    assert ddos.services == included
    assert "over budget" in ddos.rationale
    monitoring = _by_key(report)["control:monitoring"]
    assert monitoring.services
    assert "add cost the priced plan does not include" in monitoring.rationale


async def test_huge_scale_stays_bounded_and_fast(
    knowledge: Knowledge, threats: ThreatCatalog, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    api = next(w for w in healthtech["workloads"] if w["type"] == "api")
    healthtech["workloads"] += [{**api, "name": f"api-{i}", "requests_per_second": 5000} for i in range(150)]
    healthtech["growth"].update(
        current_users=5_000_000, users_6m=8_000_000, users_12m=12_000_000, users_24m=30_000_000
    )
    healthtech["budget"].update(monthly_limit_usd=5_000_000, total_min_usd=None, total_max_usd=None)
    ctx = make_context(healthtech)
    agent = SecurityAgent(knowledge, threats)
    await agent.run(ctx, quiet)

    started = time.perf_counter()
    report = await agent.run(ctx, quiet)
    elapsed = time.perf_counter() - started
    assert isinstance(report.output, SecurityOutput)
    edge = next(c for c in report.output.components if c.component == "edge")
    assert len(edge.workloads) == 152
    assert len(_threats(report.output)) <= len(threats.threats()) * 2
    assert len(report.recommendations) <= len(SecurityControl) + len(Safeguard) + 5
    assert elapsed < 1.0


async def test_runs_are_deterministic(
    knowledge: Knowledge,
    threats: ThreatCatalog,
    example_inputs: dict[str, dict[str, Any]],
    make_context: MakeContext,
) -> None:
    for raw in example_inputs.values():
        ctx = make_context(deepcopy(raw))
        first = await SecurityAgent(knowledge, threats).run(ctx, quiet)
        second = await SecurityAgent(knowledge, threats).run(ctx, quiet)
        assert first.output == second.output
        assert [r.model_dump() for r in first.recommendations] == [
            r.model_dump() for r in second.recommendations
        ]


@pytest.mark.parametrize("example", ["healthtech-hipaa", "eu-fintech-pci", "llm-scaleup"])
async def test_every_recommendation_is_grounded(
    knowledge: Knowledge,
    threats: ThreatCatalog,
    example_inputs: dict[str, dict[str, Any]],
    make_context: MakeContext,
    example: str,
) -> None:
    report, output = await _run(knowledge, threats, make_context(deepcopy(example_inputs[example])))

    assert report.summary
    assert output.method
    for rec in report.recommendations:
        assert rec.key.split(":", 1)[0] in {"control", "safeguard", "threat"}
        assert rec.best_practices
        assert all(bp.startswith(("SEC", "REL", "OPS", "COST")) for bp in rec.best_practices)
        assert rec.provider == output.provider
        assert rec.evidence
        for e in rec.evidence:
            if e.kind in {EvidenceKind.CATALOG_RECORD, EvidenceKind.CONTROL, EvidenceKind.BEST_PRACTICE}:
                assert e.source, (rec.key, e.ref)
                assert e.as_of, (rec.key, e.ref)
    for finding in report.findings:
        assert finding.title
        assert finding.detail


def test_gap_severity_rules(threats: ThreatCatalog) -> None:
    baseline = Need(SecurityControl.SSO, requested=False, in_place=False)
    assert gap_severity(baseline, []) == (
        Severity.LOW,
        "baseline of the recommended design; lowered: no threat of this design depends on it",
    )
    rule = threats.rules(DataClassification.RESTRICTED, [])[0]
    required = Need(SecurityControl.DLP, requested=False, in_place=False, rules=[rule])
    severity, basis = gap_severity(required, [])
    assert severity is Severity.MEDIUM
    assert basis.startswith("required by classification-restricted")
