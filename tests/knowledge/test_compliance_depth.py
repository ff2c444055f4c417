from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from infra_mind.domain.enums import Framework, Level, SecurityControl
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.capabilities import CAPABILITY_OF, Capability
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.compliance_models import ComplianceControl, FedrampLevel
from infra_mind.knowledge.models import Provider, ServiceKind

MIN_CONTROLS = 15
GDPR_ARTICLES = (
    "Art. 5",
    "Art. 25",
    "Art. 28",
    "Art. 30",
    "Art. 32",
    "Art. 33",
    "Art. 34",
    "Art. 35",
    "Art. 44",
)
GDPR_TRANSFERS = ("Art. 45", "Art. 46", "Art. 47", "Art. 48", "Art. 49")


@pytest.mark.parametrize("framework", list(Framework))
def test_every_framework_has_controls_with_unique_ids(knowledge: Knowledge, framework: Framework) -> None:
    controls = knowledge.controls(framework)
    ids = Counter(c.control_id for c in controls)

    assert len(controls) >= MIN_CONTROLS
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(c.framework is framework for c in controls)


def test_gdpr_covers_the_infrastructure_articles(knowledge: Knowledge) -> None:
    ids = [c.control_id for c in knowledge.controls(Framework.GDPR)]

    for article in GDPR_ARTICLES + GDPR_TRANSFERS:
        assert any(i == article or i.startswith(article + "(") for i in ids), article
    transfers = [c for c in knowledge.controls(Framework.GDPR) if c.control_id.startswith(GDPR_TRANSFERS)]
    assert all(c.residency and Capability.DATA_RESIDENCY in c.capabilities for c in transfers)


@pytest.mark.parametrize("framework", list(Framework))
def test_every_control_maps_to_capabilities_that_cover_its_required_controls(
    knowledge: Knowledge, framework: Framework
) -> None:
    for control in knowledge.controls(framework):
        capabilities = knowledge.capabilities_for(control)
        assert capabilities, control.control_id
        assert {CAPABILITY_OF[r] for r in control.requires} <= set(capabilities), control.control_id


def test_every_declarable_security_control_is_a_capability() -> None:
    assert set(CAPABILITY_OF) == set(SecurityControl)


def test_a_control_missing_the_capability_of_a_required_control_is_rejected() -> None:
    with pytest.raises(ValidationError, match="implied by its required controls"):
        ComplianceControl(
            framework=Framework.HIPAA,
            control_id="164.312(a)(2)(iv)",
            title="Encrypt stored ePHI",
            section="164.312 Technical safeguards",
            requires=(SecurityControl.ENCRYPTION_AT_REST,),
            severity=Level.HIGH,
            evidence=("Encryption settings",),
            capabilities=(Capability.KEY_MANAGEMENT,),
            source="https://www.ecfr.gov/current/title-45",
            as_of="2013-03-26",
        )


@pytest.mark.parametrize("capability", list(Capability))
def test_every_capability_has_services_for_every_provider(
    knowledge: Knowledge, capability: Capability
) -> None:
    for provider in Provider:
        services = knowledge.services_for(capability, provider)
        assert services, (capability, provider)
        assert all(s.url.startswith("https://") and s.source and s.estimate for s in services)


def test_every_capability_is_used_by_some_control(knowledge: Knowledge) -> None:
    used = {c for f in Framework for control in knowledge.controls(f) for c in control.capabilities}

    assert used == set(Capability)


def test_known_eligibility_cases(knowledge: Knowledge) -> None:
    rds = knowledge.service_eligibility(Provider.AWS, "Amazon RDS for PostgreSQL")
    assert rds is not None
    assert {Framework.HIPAA, Framework.PCI_DSS, Framework.FEDRAMP} <= set(rds.frameworks)
    assert rds.fedramp is FedrampLevel.MODERATE

    azure_sql = knowledge.service_eligibility(Provider.AZURE, "azure sql database")
    assert azure_sql is not None
    assert azure_sql.fedramp is FedrampLevel.HIGH
    assert Framework.HIPAA in azure_sql.frameworks

    cloud_sql = knowledge.service_eligibility(Provider.GCP, "Cloud SQL")
    assert cloud_sql is not None
    assert Framework.HIPAA in cloud_sql.frameworks

    iam = knowledge.service_eligibility(Provider.AWS, "AWS IAM")
    assert iam is not None
    assert Framework.HIPAA not in iam.frameworks

    assert knowledge.service_eligibility(Provider.AWS, "Amazon Imaginary Database") is None
    assert knowledge.service_eligibility(Provider.AZURE, "Amazon RDS for PostgreSQL") is None


def test_eligibility_records_that_are_not_read_from_a_provider_list_say_how_they_were_compiled(
    knowledge: Knowledge,
) -> None:
    for provider in Provider:
        for record in knowledge.compliance.named_services(provider):
            assert record.estimate, record.service
            assert (record.fedramp is None) == (Framework.FEDRAMP not in record.frameworks)


def test_the_per_kind_lookup_answers_with_the_priced_product_record(knowledge: Knowledge) -> None:
    answered = 0
    for provider in Provider:
        for kind in ServiceKind:
            record = knowledge.eligibility(provider, kind)
            if record is None:
                continue
            answered += 1
            assert record.kind is kind
            assert knowledge.service_eligibility(provider, record.service) is record
    assert answered >= 30


def test_every_priced_product_of_an_eligible_kind_is_found_by_its_catalog_name(knowledge: Knowledge) -> None:
    for path in sorted((packaged_data_dir() / "services").glob("*.json")):
        for price in json.loads(path.read_text(encoding="utf-8"))["records"]:
            provider, kind = Provider(price["provider"]), ServiceKind(price["kind"])
            if knowledge.eligibility(provider, kind) is not None:
                assert knowledge.service_eligibility(provider, price["service"]) is not None, price["service"]


def test_a_malformed_capability_record_is_a_catalog_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(packaged_data_dir(), data)
    path = data / "compliance" / "capabilities.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["records"][0]["capability"] = "telepathy"
    path.write_text(json.dumps(catalog), encoding="utf-8")

    with pytest.raises(CatalogInvalid, match="CapabilityService"):
        Knowledge.load(data)
