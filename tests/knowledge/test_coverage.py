from __future__ import annotations

from infra_mind.knowledge.coverage import coverage
from infra_mind.knowledge.models import Geography, InstanceCategory, Provider, ServiceKind

from .small_catalog import small_catalog


def test_coverage_counts_what_the_catalog_holds_and_keeps_estimates_apart() -> None:
    aws = next(c for c in coverage(small_catalog()) if c.provider is Provider.AWS)
    assert aws.regions_by_geography == {Geography.NORTH_AMERICA: 1, Geography.EUROPE: 1}
    assert aws.regions_with_instance_prices == 1
    assert aws.families_by_category[InstanceCategory.GPU] == 1
    assert aws.skus_by_category == {InstanceCategory.GENERAL: 1, InstanceCategory.GPU: 1}
    assert (aws.instance_prices.read, aws.instance_prices.estimated) == (2, 0)
    eks = next(s for s in aws.services if s.kind is ServiceKind.KUBERNETES_CONTROL_PLANE)
    assert (eks.priced_regions, eks.offered_regions, eks.prices.total) == (1, 1, 1)
    assert str(aws.oldest_as_of) == str(aws.newest_as_of) == "2026-01-19"
