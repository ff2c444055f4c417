"""Typed records of the knowledge base. Every record carries its source and as-of date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat


class Provider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class Geography(StrEnum):
    NORTH_AMERICA = "north_america"
    SOUTH_AMERICA = "south_america"
    EUROPE = "europe"
    APAC = "apac"
    MIDDLE_EAST = "middle_east"
    AFRICA = "africa"


class InstanceCategory(StrEnum):
    GENERAL = "general"
    COMPUTE = "compute"
    MEMORY = "memory"
    BURSTABLE = "burstable"
    GPU = "gpu"


class ServiceKind(StrEnum):
    KUBERNETES_CONTROL_PLANE = "kubernetes_control_plane"
    MANAGED_POSTGRESQL = "managed_postgresql"
    MANAGED_MYSQL = "managed_mysql"
    DATABASE_STORAGE = "database_storage"
    OBJECT_STORAGE = "object_storage"
    BLOCK_STORAGE = "block_storage"
    LOAD_BALANCER = "load_balancer"
    LOAD_BALANCER_CAPACITY = "load_balancer_capacity"
    NAT_GATEWAY = "nat_gateway"
    NAT_DATA = "nat_data"
    CDN = "cdn"
    EGRESS = "egress"
    SERVERLESS_REQUESTS = "serverless_requests"
    SERVERLESS_COMPUTE = "serverless_compute"


class PriceUnit(StrEnum):
    HOUR = "hour"
    GB_MONTH = "gb_month"
    GB = "gb"
    MILLION_REQUESTS = "million_requests"
    GB_SECOND = "gb_second"
    CAPACITY_UNIT_HOUR = "capacity_unit_hour"


class Sourced(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=8, description="URL or document the figure was read from")
    as_of: date
    estimate: str | None = Field(
        default=None, description="When not a list price read from provider data: the method used"
    )


class Region(Sourced):
    provider: Provider
    code: str
    name: str
    geography: Geography
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    jurisdiction: str = Field(description="EU, US, UK, SG, JP, …")
    eu_member: bool
    sovereignty_notes: str = ""


class RegionPrice(Sourced):
    region: str
    usd_per_hour: PositiveFloat


class InstanceType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    sku: str
    family: str
    category: InstanceCategory
    vcpu: int = Field(gt=0)
    memory_gib: PositiveFloat
    gpu_model: str | None = None
    gpu_count: int = Field(default=0, ge=0)
    gpu_memory_gib: float = Field(default=0, ge=0, description="per GPU")
    prices: tuple[RegionPrice, ...]


class ServicePrice(Sourced):
    provider: Provider
    service: str = Field(description="provider's product name, e.g. 'Amazon RDS for PostgreSQL'")
    kind: ServiceKind
    sku: str
    region: str
    unit: PriceUnit
    usd_per_unit: PositiveFloat
    free_units_per_month: float = Field(default=0, ge=0)
    vcpu: int | None = None
    memory_gib: float | None = None
    notes: str = ""
