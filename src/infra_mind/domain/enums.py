"""Vocabularies shared by the input, the knowledge base and the results."""

from enum import StrEnum


class Framework(StrEnum):
    GDPR = "gdpr"
    HIPAA = "hipaa"
    SOC2 = "soc2"
    PCI_DSS = "pci_dss"
    ISO_27001 = "iso_27001"
    NIST_CSF = "nist_csf"
    CCPA = "ccpa"
    FEDRAMP = "fedramp"


class SecurityControl(StrEnum):
    ENCRYPTION_AT_REST = "encryption_at_rest"
    ENCRYPTION_IN_TRANSIT = "encryption_in_transit"
    MFA = "mfa"
    SSO = "sso"
    RBAC = "rbac"
    NETWORK_ISOLATION = "network_isolation"
    FIREWALL = "firewall"
    DDOS_PROTECTION = "ddos_protection"
    MONITORING = "monitoring"
    AUDIT_LOGGING = "audit_logging"
    VULNERABILITY_SCANNING = "vulnerability_scanning"
    DLP = "dlp"
    BACKUP_ENCRYPTION = "backup_encryption"


class DataType(StrEnum):
    PERSONAL = "personal"
    HEALTH = "health"
    PAYMENT_CARD = "payment_card"
    FINANCIAL = "financial"
    GOVERNMENT = "government"
    CHILDREN = "children"
    BIOMETRIC = "biometric"
    INTELLECTUAL_PROPERTY = "intellectual_property"


class Pillar(StrEnum):
    OPERATIONAL_EXCELLENCE = "operational_excellence"
    SECURITY = "security"
    RELIABILITY = "reliability"
    PERFORMANCE = "performance"
    COST = "cost"
    SUSTAINABILITY = "sustainability"


class Level(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
