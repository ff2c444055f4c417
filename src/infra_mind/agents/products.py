"""What each provider sells for each part of the design, named the way the reports show it."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.knowledge.models import Provider


@dataclass(frozen=True)
class Products:
    network: str
    zonal_subnets: bool
    """Subnets are zonal (one per zone and tier); otherwise each subnet spans every zone of its region."""
    nat: str
    load_balancer: str
    cdn: str
    waf: str
    ddos: str
    failover_routing: str
    compute: str
    vm_group: str
    kubernetes: str
    gpu: str
    functions: str
    database: str
    object_storage: str
    ml_platform: str
    llm_api: str
    observability: str
    identity: str


PRODUCTS = {
    Provider.AWS: Products(
        network="VPC",
        zonal_subnets=True,
        nat="one NAT gateway per zone",
        load_balancer="Application Load Balancer",
        cdn="Amazon CloudFront",
        waf="AWS WAF (managed rule groups)",
        ddos="AWS Shield Standard",
        failover_routing="Amazon Route 53 health-checked records",
        compute="Amazon EC2",
        vm_group="EC2 Auto Scaling groups",
        kubernetes="Amazon EKS",
        gpu="EC2 GPU instances",
        functions="AWS Lambda",
        database="Amazon RDS",
        object_storage="Amazon S3",
        ml_platform="Amazon SageMaker AI",
        llm_api="Amazon Bedrock",
        observability="Amazon CloudWatch",
        identity="AWS IAM Identity Center",
    ),
    Provider.AZURE: Products(
        network="VNet",
        zonal_subnets=False,
        nat="a NAT gateway",
        load_balancer="Application Gateway v2 (WAF_v2 tier)",
        cdn="Azure Front Door",
        waf="Azure Web Application Firewall (OWASP rule set)",
        ddos="Azure DDoS infrastructure protection",
        failover_routing="Azure Traffic Manager",
        compute="Azure Virtual Machines",
        vm_group="Virtual Machine Scale Sets",
        kubernetes="Azure Kubernetes Service",
        gpu="Azure N-series VMs",
        functions="Azure Functions",
        database="Azure Database Flexible Server",
        object_storage="Azure Blob Storage",
        ml_platform="Azure Machine Learning",
        llm_api="Azure OpenAI",
        observability="Azure Monitor",
        identity="Microsoft Entra ID",
    ),
    Provider.GCP: Products(
        network="VPC network",
        zonal_subnets=False,
        nat="Cloud NAT",
        load_balancer="global external Application Load Balancer",
        cdn="Cloud CDN",
        waf="Google Cloud Armor (preconfigured WAF rules)",
        ddos="Cloud Armor Adaptive Protection",
        failover_routing="the global load balancer's cross-region backends",
        compute="Google Compute Engine",
        vm_group="regional managed instance groups",
        kubernetes="Google Kubernetes Engine",
        gpu="Compute Engine GPU VMs",
        functions="Cloud Run functions",
        database="Cloud SQL",
        object_storage="Cloud Storage",
        ml_platform="Vertex AI",
        llm_api="Vertex AI",
        observability="Google Cloud Observability",
        identity="Cloud Identity",
    ),
}
