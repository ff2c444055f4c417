"""What closing each security control or provider agreement takes: titles, actions, effort, best practices."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.domain.enums import Framework, SecurityControl
from infra_mind.knowledge.models import Provider


@dataclass(frozen=True)
class ControlPlay:
    title: str
    effort: int
    best_practices: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Agreement:
    key: str
    frameworks: tuple[Framework, ...]
    control_ids: tuple[str, ...]
    title: str
    effort: int
    provider_action: dict[Provider, str]
    actions: tuple[str, ...]


CONTROL_PLAYS = {
    SecurityControl.ENCRYPTION_AT_REST: ControlPlay(
        "Encrypt data at rest with managed keys",
        2,
        ("SEC08-BP02", "SEC08-BP01"),
        (
            "Turn on KMS-backed encryption for databases, object storage and volumes",
            "Deny the creation of unencrypted storage with an organisation policy",
            "Restrict key use to the service roles that need it and rotate keys yearly",
        ),
    ),
    SecurityControl.ENCRYPTION_IN_TRANSIT: ControlPlay(
        "Encrypt all traffic in transit with TLS",
        2,
        ("SEC09-BP02", "SEC09-BP01"),
        (
            "Terminate TLS 1.2 or later at the load balancer with managed certificates",
            "Require TLS on database connections and between services",
            "Refuse or redirect plain HTTP",
        ),
    ),
    SecurityControl.MFA: ControlPlay(
        "Require multi-factor authentication for every human login",
        1,
        ("SEC02-BP01",),
        (
            "Enforce MFA on console, VPN and privileged access",
            "Give administrators phishing-resistant security keys",
        ),
    ),
    SecurityControl.SSO: ControlPlay(
        "Sign in through one identity provider (SSO)",
        3,
        ("SEC02-BP04",),
        (
            "Federate the cloud organisation with the identity provider over SAML or OIDC",
            "Drive joiner, mover and leaver changes from the HR system",
            "Remove local cloud users once federation works",
        ),
    ),
    SecurityControl.RBAC: ControlPlay(
        "Grant least-privilege access through roles",
        3,
        ("SEC03-BP02",),
        (
            "Define roles per team and environment with only the permissions they use",
            "Review access every quarter and remove unused permissions",
        ),
    ),
    SecurityControl.NETWORK_ISOLATION: ControlPlay(
        "Isolate workloads in private networks",
        3,
        ("SEC05-BP01", "SEC01-BP01"),
        (
            "Place databases and workers in private subnets without public IPs",
            "Separate production from non-production accounts or projects",
            "Reach managed services through private endpoints",
        ),
    ),
    SecurityControl.FIREWALL: ControlPlay(
        "Filter traffic between tiers and at the edge",
        2,
        ("SEC05-BP02", "SEC05-BP03"),
        (
            "Allow only the required ports between tiers with security groups or firewall rules",
            "Put a web application firewall in front of public endpoints",
        ),
    ),
    SecurityControl.DDOS_PROTECTION: ControlPlay(
        "Protect public endpoints against denial of service",
        2,
        ("SEC05-BP03",),
        (
            "Front public endpoints with the provider's DDoS protection and the CDN",
            "Set rate limits and alert on traffic spikes",
        ),
    ),
    SecurityControl.MONITORING: ControlPlay(
        "Monitor systems and alert on security events",
        3,
        ("SEC04-BP02", "OPS08-BP04"),
        (
            "Collect metrics, logs and traces in one place",
            "Alert on security events and route alerts to an on-call rota",
        ),
    ),
    SecurityControl.AUDIT_LOGGING: ControlPlay(
        "Keep a tamper-resistant audit trail",
        2,
        ("SEC04-BP01", "SEC04-BP02"),
        (
            "Turn on the provider's audit trail in every account, subscription or project",
            "Ship audit logs to a separate write-once store with the retention the frameworks require",
            "Log access to regulated data in the database and the application",
        ),
    ),
    SecurityControl.VULNERABILITY_SCANNING: ControlPlay(
        "Scan for vulnerabilities continuously",
        2,
        ("SEC06-BP01", "OPS05-BP05"),
        (
            "Scan images, hosts and dependencies in CI and in production",
            "Patch critical findings within a fixed deadline and track exceptions",
        ),
    ),
    SecurityControl.DLP: ControlPlay(
        "Detect and stop leaks of sensitive data (DLP)",
        4,
        ("SEC07-BP01",),
        (
            "Classify and tag the stores that hold regulated data",
            "Scan object storage and outbound paths for sensitive data and alert on matches",
        ),
    ),
    SecurityControl.BACKUP_ENCRYPTION: ControlPlay(
        "Encrypt and isolate backups",
        2,
        ("REL09-BP02",),
        (
            "Encrypt backups and snapshots with keys separate from production",
            "Copy backups to an isolated account and test restores",
        ),
    ),
}

DATA_PROTECTION_BASICS = (
    SecurityControl.ENCRYPTION_AT_REST,
    SecurityControl.ENCRYPTION_IN_TRANSIT,
    SecurityControl.BACKUP_ENCRYPTION,
    SecurityControl.RBAC,
)

AGREEMENTS = (
    Agreement(
        "compliance:baa",
        (Framework.HIPAA,),
        ("164.308(b)(1)", "164.314(a)(1)"),
        "Sign a business associate agreement with {provider} before ePHI reaches it",
        1,
        {
            Provider.AWS: "Accept the AWS Business Associate Addendum in AWS Artifact for every account "
            "holding ePHI",
            Provider.AZURE: "Confirm that the HIPAA BAA in the Microsoft Products and Services Data "
            "Protection Addendum covers the subscriptions holding ePHI",
            Provider.GCP: "Accept the Google Cloud business associate agreement for the organisation",
        },
        (
            "Keep ePHI only in services the agreement covers (see the eligibility table)",
            "Record the provider in the inventory of business associates with the signed agreement",
        ),
    ),
    Agreement(
        "compliance:dpa",
        (Framework.GDPR, Framework.CCPA),
        ("Art. 28(1)", "Art. 28(3)", "1798.100(d)"),
        "Put {provider}'s data processing addendum in place (GDPR art. 28, CCPA service-provider terms)",
        1,
        {
            Provider.AWS: "Confirm the AWS Data Processing Addendum applies to every account holding "
            "personal data",
            Provider.AZURE: "Confirm the Microsoft Products and Services Data Protection Addendum applies "
            "to the subscriptions",
            Provider.GCP: "Confirm the Google Cloud Data Processing Addendum applies to the organisation",
        },
        (
            "Record the provider and its sub-processors in the record of processing activities",
            "File the provider's security certifications as processor due-diligence evidence",
        ),
    ),
    Agreement(
        "compliance:pci_responsibility_matrix",
        (Framework.PCI_DSS,),
        ("12.8.2",),
        "Obtain {provider}'s PCI DSS attestation and responsibility matrix",
        2,
        {
            Provider.AWS: "Download the PCI DSS Attestation of Compliance and responsibility summary "
            "from AWS Artifact",
            Provider.AZURE: "Download the PCI DSS Attestation of Compliance from the Microsoft Service "
            "Trust Portal",
            Provider.GCP: "Download the PCI DSS Attestation of Compliance from Google Cloud Compliance "
            "Reports Manager",
        },
        (
            "Map each PCI DSS requirement to provider, shared or own responsibility",
            "Keep cardholder data only in services listed in the provider's PCI DSS scope",
        ),
    ),
)

PROVIDER_NAMES = {Provider.AWS: "AWS", Provider.AZURE: "Azure", Provider.GCP: "Google Cloud"}

REGION_GUARDRAIL = {
    Provider.AWS: "Deny every other region with a service control policy on aws:RequestedRegion",
    Provider.AZURE: "Assign the Azure Policy 'Allowed locations' to every subscription",
    Provider.GCP: "Set the organisation policy constraint gcp.resourceLocations",
}
