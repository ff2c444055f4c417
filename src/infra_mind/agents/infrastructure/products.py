"""The provider products each part of the design maps to."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.knowledge.models import Provider


@dataclass(frozen=True)
class Products:
    network: str
    kubernetes: str
    vm_group: str
    load_balancer: str
    cdn: str
    waf: str
    ddos: str
    failover_routing: str
    nat: str
    zonal_subnets: bool


PRODUCTS = {
    Provider.AWS: Products(
        network="VPC",
        kubernetes="Amazon EKS",
        vm_group="EC2 Auto Scaling groups",
        load_balancer="Application Load Balancer",
        cdn="Amazon CloudFront",
        waf="AWS WAF (managed rule groups)",
        ddos="AWS Shield Standard",
        failover_routing="Amazon Route 53 health-checked records",
        nat="one NAT gateway per zone",
        zonal_subnets=True,
    ),
    Provider.AZURE: Products(
        network="VNet",
        kubernetes="Azure Kubernetes Service",
        vm_group="Virtual Machine Scale Sets",
        load_balancer="Application Gateway v2 (WAF_v2 tier)",
        cdn="Azure Front Door",
        waf="Azure Web Application Firewall (OWASP rule set)",
        ddos="Azure DDoS infrastructure protection",
        failover_routing="Azure Traffic Manager",
        nat="a NAT gateway",
        zonal_subnets=False,
    ),
    Provider.GCP: Products(
        network="VPC network",
        kubernetes="Google Kubernetes Engine",
        vm_group="regional managed instance groups",
        load_balancer="global external Application Load Balancer",
        cdn="Cloud CDN",
        waf="Google Cloud Armor (preconfigured WAF rules)",
        ddos="Cloud Armor Adaptive Protection",
        failover_routing="the global load balancer's cross-region backends",
        nat="Cloud NAT",
        zonal_subnets=False,
    ),
}
