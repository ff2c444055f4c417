"""The Azure Retail Prices API meters that price each catalog SKU: shared by the Azure importer and the
live price check, so both read the same meters.

Meter, product and SKU names are the ones the API returns (seen in public copies of its answers: the
karpenter-provider-azure pricing client for virtual machines, mooncitizen/togen's Retail Prices fixtures
for databases, storage, bandwidth and Functions, infracost for AKS and Application Gateway). Lines whose
meter could not be confirmed that way (NAT gateway, Front Door, Premium SSD v2) are not mapped rather
than guessed."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.knowledge.models import ServiceKind

VM_EXCLUDED_SUFFIXES = (" Spot", " Low Priority")


@dataclass(frozen=True)
class Meter:
    """A Retail Prices API query and the item fields that must match exactly."""

    service_name: str
    product_name: str | None = None
    sku_name: str | None = None
    meter_name: str | None = None
    arm_sku_name: str | None = None
    units: tuple[tuple[str, float], ...] = (("1 Hour", 1.0),)
    """unitOfMeasure values accepted, each with the factor that turns its price into the catalog unit's."""
    virtual_machine: bool = False
    """Skip Windows, Spot and Low Priority items: the catalog holds Linux pay-as-you-go prices."""

    def odata_filter(self, region: str) -> str:
        clauses = [
            ("serviceName", self.service_name),
            ("armRegionName", region),
            ("priceType", "Consumption"),
        ]
        clauses += [
            (name, value)
            for name, value in (
                ("armSkuName", self.arm_sku_name),
                ("productName", self.product_name),
                ("skuName", self.sku_name),
                ("meterName", self.meter_name),
            )
            if value
        ]
        return " and ".join(f"{name} eq '{_quoted(value)}'" for name, value in clauses)

    def describe(self) -> str:
        parts = [self.service_name, self.product_name, self.sku_name or self.arm_sku_name, self.meter_name]
        return " / ".join(p for p in parts if p)


SERVICE_METERS: dict[str, Meter] = {
    "pg-flexible-server-storage": Meter(
        "Azure Database for PostgreSQL",
        "Azure Database for PostgreSQL Flex Server Storage",
        "Storage",
        "Storage Data Stored",
        units=(("1 GB/Month", 1.0),),
    ),
    "mysql-flexible-server-storage": Meter(
        "Azure Database for MySQL",
        "Azure Database for MySQL Flexible Server Storage",
        "Storage",
        "Storage Data Stored",
        units=(("1 GB/Month", 1.0),),
    ),
    "blob-hot-lrs-first-50tb": Meter(
        "Storage", "General Block Blob v2", "Hot LRS", "Hot LRS Data Stored", units=(("1 GB/Month", 1.0),)
    ),
    "internet-egress-first-10tb": Meter(
        "Bandwidth", "Rtn Preference: MGN", "Standard", "Standard Data Transfer Out", units=(("1 GB", 1.0),)
    ),
    "functions-consumption-executions": Meter(
        "Functions", "Functions", "Standard", "Standard Total Executions", units=(("10", 100_000.0),)
    ),
    "functions-consumption-execution-time": Meter(
        "Functions", "Functions", "Standard", "Standard Execution Time", units=(("1 GB Second", 1.0),)
    ),
    "aks-standard-tier": Meter(
        "Azure Kubernetes Service", "Azure Kubernetes Service", "Standard", "Standard Uptime SLA"
    ),
    "appgw-standard-v2-fixed": Meter(
        "Application Gateway",
        "Application Gateway Standard v2",
        "Standard",
        "Standard Fixed Cost",
        units=(("1 Hour", 1.0), ("1/Hour", 1.0)),
    ),
    "appgw-standard-v2-capacity-unit": Meter(
        "Application Gateway",
        "Application Gateway Standard v2",
        "Standard",
        "Standard Capacity Units",
        units=(("1 Hour", 1.0), ("1/Hour", 1.0)),
    ),
}

DATABASE_COMPUTE = {
    ServiceKind.MANAGED_POSTGRESQL.value: (
        "Azure Database for PostgreSQL",
        "Azure Database for PostgreSQL Flexible Server General Purpose Ddsv4 Series Compute",
    ),
    ServiceKind.MANAGED_MYSQL.value: (
        "Azure Database for MySQL",
        "Azure Database for MySQL Flexible Server General Purpose Series Compute",
    ),
}
"""General-purpose Flexible Server compute is one per-vCore meter per series; the catalog prices its
Ddsv5 classes with these meters (see each record's estimate), so the live check reads the same ones."""


def _quoted(value: str) -> str:
    return value.replace("'", "''")
