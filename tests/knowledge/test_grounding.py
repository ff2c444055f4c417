from __future__ import annotations

import pytest

from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.knowledge.grounding import CatalogReference, Grounding

from .small_catalog import small_catalog


@pytest.fixture
def grounding() -> Grounding:
    return Grounding(small_catalog())


@pytest.mark.parametrize(
    "ref",
    [
        CatalogReference("aws", sku="m7i.large", region="us-east-1"),
        CatalogReference("aws", sku="m7i.large", region="eu-central-1"),
        CatalogReference("aws", service="Amazon Elastic Kubernetes Service (EKS)", region="us-east-1"),
        CatalogReference("aws", service="kubernetes_control_plane"),
        CatalogReference("aws", service="Amazon SageMaker AI"),
        CatalogReference("aws", sku="eks-cluster-standard-support", region="us-east-1"),
    ],
)
def test_what_exists_passes(grounding: Grounding, ref: CatalogReference) -> None:
    assert grounding.check(ref) is None


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        (CatalogReference("aws", sku="m7i.superhuge", region="us-east-1"), "aws has no SKU 'm7i.superhuge'"),
        (
            CatalogReference("aws", sku="p5.48xlarge", region="eu-central-1"),
            "p5.48xlarge is not sold in eu-central-1",
        ),
        (
            CatalogReference("aws", service="Amazon Quantum Ledger Lake"),
            "no service 'Amazon Quantum Ledger Lake'",
        ),
        (CatalogReference("aws", sku="m7i.large", region="moon-base-1"), "no region 'moon-base-1'"),
        (CatalogReference("oracle", sku="VM.Standard3"), "unknown provider 'oracle'"),
        (
            CatalogReference("aws", sku="eks-cluster-standard-support", region="eu-central-1"),
            "no catalog record in eu-central-1",
        ),
    ],
)
def test_invented_or_misplaced_things_are_named(
    grounding: Grounding, ref: CatalogReference, problem: str
) -> None:
    found = grounding.check(ref)
    assert found is not None
    assert problem in found


def _price(ref: str) -> Evidence:
    return Evidence(kind=EvidenceKind.CATALOG_PRICE, ref=ref, detail="cited price")


def test_cited_prices_are_checked_and_other_evidence_passes(grounding: Grounding) -> None:
    assert grounding.check_evidence(_price("aws:m7i.large@us-east-1")) is None
    assert grounding.check_evidence(_price("sagemaker:ml.m7i.large@us-east-1")) is None
    assert grounding.check_evidence(_price("instance_prices:aws:m7i.large@us-east-1")) is None
    assert grounding.check_evidence(Evidence(kind=EvidenceKind.INPUT, ref="aws:x@y", detail="input")) is None
    assert "not sold in eu-central-1" in str(grounding.check_evidence(_price("aws:p5.48xlarge@eu-central-1")))
    assert "no catalogued rate" in str(grounding.check_evidence(_price("sagemaker:ml.p9.huge@us-east-1")))
