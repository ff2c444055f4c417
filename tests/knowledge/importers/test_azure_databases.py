from __future__ import annotations

from typing import Any

from infra_mind.knowledge.importers.azure_databases import database_compute
from infra_mind.knowledge.importers.result import Skipped
from infra_mind.knowledge.models import PriceUnit, ServiceKind, ServicePrice
from tests.knowledge.importers.support import AS_OF, fixture

SOURCE = "https://prices.azure.com/api/retail/prices (test)"
PG_VCORE = "5f71a2d1-8601-5f73-962b-15946bf70148"


def uksouth_items() -> list[dict[str, Any]]:
    return list(fixture("azure-retail-uksouth.json")["Items"])


def priced(items: list[dict[str, Any]]) -> tuple[dict[tuple[ServiceKind, str], ServicePrice], list[Skipped]]:
    services, skipped = database_compute(items, SOURCE, AS_OF)
    return {(s.kind, s.sku): s for s in services}, skipped


def test_general_purpose_classes_are_vcores_times_the_per_vcore_meter() -> None:
    services, skipped = priced(uksouth_items())
    assert skipped == []
    assert {key: s.usd_per_unit for key, s in services.items()} == {
        (ServiceKind.MANAGED_POSTGRESQL, "Standard_D2ds_v5"): 0.206,
        (ServiceKind.MANAGED_POSTGRESQL, "Standard_D4ds_v5"): 0.412,
        (ServiceKind.MANAGED_POSTGRESQL, "Standard_D8ds_v5"): 0.824,
        (ServiceKind.MANAGED_MYSQL, "Standard_D2ds_v5"): 0.198,
        (ServiceKind.MANAGED_MYSQL, "Standard_D4ds_v5"): 0.396,
        (ServiceKind.MANAGED_MYSQL, "Standard_D8ds_v5"): 0.792,
    }
    d4 = services[(ServiceKind.MANAGED_POSTGRESQL, "Standard_D4ds_v5")]
    assert (d4.vcpu, d4.memory_gib, d4.unit, d4.region) == (4, 16, PriceUnit.HOUR, "uksouth")


def test_records_say_they_are_computed_from_a_per_vcore_meter() -> None:
    services, _ = priced(uksouth_items())
    d2 = services[(ServiceKind.MANAGED_POSTGRESQL, "Standard_D2ds_v5")]
    assert d2.estimate is not None
    assert "Ddsv4 Series Compute" in d2.estimate


def test_burstable_compute_is_not_taken_for_the_general_purpose_meter() -> None:
    items = [i for i in uksouth_items() if i["meterName"] != "vCore"]
    assert priced(items) == ({}, [])


def _with_another_pg_meter(**change: Any) -> list[dict[str, Any]]:
    items = uksouth_items()
    primary = next(i for i in items if i["meterId"] == PG_VCORE and i["isPrimaryMeterRegion"])
    return [*items, {**primary, "meterId": "another", **change}]


def test_differing_primary_rates_are_ambiguous_not_guessed() -> None:
    services, skipped = priced(_with_another_pg_meter(retailPrice=0.2))
    assert (ServiceKind.MANAGED_POSTGRESQL, "Standard_D2ds_v5") not in services
    (skip,) = skipped
    assert skip.item.endswith("General Purpose Ddsv4 Series Compute / vCore / uksouth")
    assert skip.reason == "ambiguous: 2 different per-vCore rates"


def test_non_primary_duplicate_does_not_change_the_rate() -> None:
    services, _ = priced(_with_another_pg_meter(retailPrice=0.5, isPrimaryMeterRegion=False))
    assert services[(ServiceKind.MANAGED_POSTGRESQL, "Standard_D2ds_v5")].usd_per_unit == 0.206
