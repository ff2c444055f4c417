"""Architecture capabilities: what a design must be able to do for a compliance control to be met.

Controls name the capabilities that satisfy them; capabilities name the managed services of each provider
that implement them. The input's SecurityControl values are the subset of capabilities a client can declare,
so each one maps to exactly one capability and the compliance agent's control arithmetic stays the same.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from pydantic import Field

from infra_mind.domain.enums import SecurityControl
from infra_mind.knowledge.models import Provider, ServiceKind, Sourced


class Capability(StrEnum):
    ENCRYPTION_AT_REST = "encryption_at_rest"
    ENCRYPTION_IN_TRANSIT = "encryption_in_transit"
    KEY_MANAGEMENT = "key_management"
    SECRETS_MANAGEMENT = "secrets_management"
    IDENTITY_ACCESS_CONTROL = "identity_access_control"
    MFA_SSO = "mfa_sso"
    LOGGING_AUDIT_TRAIL = "logging_audit_trail"
    MONITORING_ALERTING = "monitoring_alerting"
    THREAT_DETECTION = "threat_detection"
    NETWORK_SEGMENTATION = "network_segmentation"
    PERIMETER_FIREWALL_WAF = "perimeter_firewall_waf"
    DDOS_PROTECTION = "ddos_protection"
    BACKUP_RESTORE = "backup_restore"
    DISASTER_RECOVERY = "disaster_recovery"
    HIGH_AVAILABILITY = "high_availability"
    VULNERABILITY_MANAGEMENT = "vulnerability_management"
    DATA_LOSS_PREVENTION = "data_loss_prevention"
    DATA_RESIDENCY = "data_residency"
    DATA_LIFECYCLE = "data_lifecycle"
    IMMUTABLE_STORAGE = "immutable_storage"
    CONFIGURATION_BASELINE = "configuration_baseline"
    ASSET_INVENTORY = "asset_inventory"
    CHANGE_MANAGEMENT = "change_management"
    INCIDENT_RESPONSE = "incident_response"
    SECURITY_POSTURE = "security_posture"
    PROVIDER_ASSURANCE = "provider_assurance"


CAPABILITY_OF = MappingProxyType(
    {
        SecurityControl.ENCRYPTION_AT_REST: Capability.ENCRYPTION_AT_REST,
        SecurityControl.ENCRYPTION_IN_TRANSIT: Capability.ENCRYPTION_IN_TRANSIT,
        SecurityControl.MFA: Capability.MFA_SSO,
        SecurityControl.SSO: Capability.MFA_SSO,
        SecurityControl.RBAC: Capability.IDENTITY_ACCESS_CONTROL,
        SecurityControl.NETWORK_ISOLATION: Capability.NETWORK_SEGMENTATION,
        SecurityControl.FIREWALL: Capability.PERIMETER_FIREWALL_WAF,
        SecurityControl.DDOS_PROTECTION: Capability.DDOS_PROTECTION,
        SecurityControl.MONITORING: Capability.MONITORING_ALERTING,
        SecurityControl.AUDIT_LOGGING: Capability.LOGGING_AUDIT_TRAIL,
        SecurityControl.VULNERABILITY_SCANNING: Capability.VULNERABILITY_MANAGEMENT,
        SecurityControl.DLP: Capability.DATA_LOSS_PREVENTION,
        SecurityControl.BACKUP_ENCRYPTION: Capability.BACKUP_RESTORE,
    }
)
"""The capability each declarable security control provides."""


class CapabilityService(Sourced):
    """A provider's managed service (or a feature of one) that implements a capability."""

    capability: Capability
    provider: Provider
    service: str = Field(description="the provider's product or feature name")
    kind: ServiceKind | None = Field(default=None, description="the priced product kind, when it is one")
    url: str = Field(min_length=8, description="the product documentation page")
