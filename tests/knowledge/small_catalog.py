"""A tiny catalog built in code: two AWS regions, one family sold in both but priced in one, one family
sold in one region only, one service, one ML platform rate."""

from __future__ import annotations

from datetime import date

from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.ml_platforms import MlPlatform, MlPlatformCatalog, PlatformInstancePrice
from infra_mind.knowledge.models import (
    Availability,
    Geography,
    InstanceCategory,
    InstanceType,
    PriceUnit,
    Provider,
    Region,
    RegionPrice,
    ServiceKind,
    ServicePrice,
)

AS_OF = date(2026, 1, 19)
SOURCE = "https://example.org/test-catalog"


def _region(code: str, country: str, geography: Geography, jurisdiction: str, eu: bool) -> Region:
    return Region(
        provider=Provider.AWS,
        code=code,
        name=code,
        geography=geography,
        country=country,
        jurisdiction=jurisdiction,
        eu_member=eu,
        source=SOURCE,
        as_of=AS_OF,
    )


def _price(region: str, usd: float) -> RegionPrice:
    return RegionPrice(region=region, usd_per_hour=usd, source=SOURCE, as_of=AS_OF)


def small_catalog() -> Knowledge:
    general = InstanceType(
        provider=Provider.AWS,
        sku="m7i.large",
        family="m7i",
        category=InstanceCategory.GENERAL,
        vcpu=2,
        memory_gib=8,
        prices=(_price("us-east-1", 0.1008),),
    )
    gpu = InstanceType(
        provider=Provider.AWS,
        sku="p5.48xlarge",
        family="p5",
        category=InstanceCategory.GPU,
        vcpu=192,
        memory_gib=2048,
        gpu_model="H100",
        gpu_count=8,
        gpu_memory_gib=80,
        prices=(_price("us-east-1", 55.04),),
    )
    service = ServicePrice(
        provider=Provider.AWS,
        service="Amazon Elastic Kubernetes Service (EKS)",
        kind=ServiceKind.KUBERNETES_CONTROL_PLANE,
        sku="eks-cluster-standard-support",
        region="us-east-1",
        unit=PriceUnit.HOUR,
        usd_per_unit=0.1,
        source=SOURCE,
        as_of=AS_OF,
    )
    sagemaker = MlPlatform(
        record="platform",
        id="sagemaker",
        provider=Provider.AWS,
        kind="managed",
        name="Amazon SageMaker AI",
        fee_model="per instance-hour",
        source=SOURCE,
        as_of=AS_OF,
    )
    rate = PlatformInstancePrice(
        record="instance_price",
        platform="sagemaker",
        provider=Provider.AWS,
        sku="ml.m7i.large",
        instance_sku="m7i.large",
        region="us-east-1",
        usage="real_time_inference",
        usd_per_hour=0.1411,
        source=SOURCE,
        as_of=AS_OF,
    )
    return Knowledge(
        regions=[
            _region("us-east-1", "US", Geography.NORTH_AMERICA, "US", False),
            _region("eu-central-1", "DE", Geography.EUROPE, "EU", True),
        ],
        instances=[general, gpu],
        services=[service],
        controls=[],
        eligibility=[],
        authorizations=[],
        best_practices=[],
        sizing=[],
        ml_platforms=MlPlatformCatalog([sagemaker, rate]),
        availability=[
            Availability(
                provider=Provider.AWS,
                family="m7i",
                regions=("us-east-1", "eu-central-1"),
                source=SOURCE,
                as_of=AS_OF,
            )
        ],
    )
