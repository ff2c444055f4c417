from __future__ import annotations

import pytest

from infra_mind.errors import NotOffered
from infra_mind.knowledge.models import Availability, Provider, ServiceKind

from .small_catalog import AS_OF, SOURCE, small_catalog


def test_a_family_is_offered_where_priced_or_listed_as_available() -> None:
    feasibility = small_catalog().feasibility
    assert feasibility.instance_offered(Provider.AWS, "m7i.large", "us-east-1")
    assert feasibility.instance_offered(Provider.AWS, "m7i.large", "eu-central-1")
    assert not feasibility.instance_offered(Provider.AWS, "p5.48xlarge", "eu-central-1")
    assert feasibility.service_offered(Provider.AWS, ServiceKind.KUBERNETES_CONTROL_PLANE, "us-east-1")
    assert not feasibility.service_offered(Provider.AWS, ServiceKind.KUBERNETES_CONTROL_PLANE, "eu-central-1")


def test_pricing_an_instance_where_it_is_sold_without_a_price_gives_none() -> None:
    knowledge = small_catalog()
    assert knowledge.price_instance(Provider.AWS, "m7i.large", "us-east-1") is not None
    assert knowledge.price_instance(Provider.AWS, "m7i.large", "eu-central-1") is None


@pytest.mark.parametrize(
    ("sku", "region", "message"),
    [
        ("p5.48xlarge", "eu-central-1", "p5.48xlarge is not sold in eu-central-1"),
        ("m9z.huge", "us-east-1", "no instance type 'm9z.huge'"),
        ("m7i.large", "mars-1", "no region 'mars-1'"),
    ],
)
def test_pricing_what_cannot_be_bought_is_an_error_the_caller_sees(
    sku: str, region: str, message: str
) -> None:
    with pytest.raises(NotOffered, match=message) as raised:
        small_catalog().price_instance(Provider.AWS, sku, region)
    assert raised.value.status_code == 422


def test_an_availability_record_names_a_family_or_a_kind_not_both() -> None:
    with pytest.raises(ValueError, match="either an instance family or a service kind"):
        Availability(
            provider=Provider.AWS,
            family="m7i",
            kind=ServiceKind.CDN,
            regions=("us-east-1",),
            source=SOURCE,
            as_of=AS_OF,
        )
