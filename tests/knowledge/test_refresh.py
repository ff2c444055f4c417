from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx2
import pytest

from infra_mind.errors import ConfigurationError, PriceSourceUnavailable
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.refresh import (
    AWS_EC2_REGION_INDEX,
    AWS_PRICING_ORIGIN,
    AZURE_RETAIL_URL,
    EC2INSTANCES_URL,
    GCP_SERVICES,
    RefreshRequest,
    fetch_source,
)

TODAY = date(2026, 11, 29)
REGIONS = {Provider.AWS: ("us-east-1", "eu-west-1"), Provider.AZURE: ("eastus",), Provider.GCP: ("us-east1",)}

Handler = Callable[[httpx2.Request], httpx2.Response]


def fetch(source: str, handler: Handler, folder: Path, *, gcp_api_key: str | None = None) -> list[Path]:
    request = RefreshRequest(folder=folder, as_of=TODAY, regions=REGIONS, gcp_api_key=gcp_api_key)
    with httpx2.Client(transport=httpx2.MockTransport(handler)) as client:
        return [f.path for f in fetch_source(source, client, request)]


def refused(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)


def test_ec2instances_is_saved_whole_and_reused_the_same_day(tmp_path: Path) -> None:
    body = b'[{"instance_type": "t3.medium"}]'
    calls: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(str(request.url))
        return httpx2.Response(200, content=body)

    (path,) = fetch("ec2instances", handler, tmp_path)
    (again,) = fetch("ec2instances", handler, tmp_path)

    assert path.read_bytes() == body
    assert again == path
    assert calls == [EC2INSTANCES_URL]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_azure_pages_are_followed_and_merged_into_one_items_document(tmp_path: Path) -> None:
    next_page = f"{AZURE_RETAIL_URL}?api-version=2023-01-01-preview&$skip=1000"
    seen: list[httpx2.URL] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url)
        if "$skip" in str(request.url):
            return httpx2.Response(200, json={"Items": [{"meterId": "b"}], "NextPageLink": None})
        return httpx2.Response(200, json={"Items": [{"meterId": "a"}], "NextPageLink": next_page})

    (path,) = fetch("azure-retail", handler, tmp_path)

    document = json.loads(path.read_text())
    assert [item["meterId"] for item in document["Items"]] == ["a", "b"]
    assert document["NextPageLink"] is None
    first_filter = seen[0].params["$filter"]
    assert "armRegionName eq 'eastus'" in first_filter
    assert "serviceName eq 'Virtual Machines'" in first_filter
    assert len(seen) == 2


def test_azure_next_page_on_another_host_is_refused(tmp_path: Path) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"Items": [], "NextPageLink": "https://elsewhere.example/next"})

    with pytest.raises(PriceSourceUnavailable, match="another host"):
        fetch("azure-retail", handler, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_gcp_needs_an_api_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="INFRA_MIND_GCP_API_KEY"):
        fetch("gcp-billing", refused, tmp_path)


def test_gcp_pages_by_token_for_every_service(tmp_path: Path) -> None:
    seen: list[httpx2.URL] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url)
        service = request.url.path.split("/")[3]
        if "pageToken" in request.url.params:
            return httpx2.Response(200, json={"skus": [{"skuId": f"{service}-2"}], "nextPageToken": ""})
        return httpx2.Response(200, json={"skus": [{"skuId": f"{service}-1"}], "nextPageToken": "t2"})

    (path,) = fetch("gcp-billing", handler, tmp_path, gcp_api_key="test-key")

    skus = [s["skuId"] for s in json.loads(path.read_text())["skus"]]
    assert skus == [f"{service}-{page}" for service in GCP_SERVICES.values() for page in (1, 2)]
    assert all(url.params["key"] == "test-key" for url in seen)


def test_the_api_key_is_never_shown_in_an_error(tmp_path: Path) -> None:
    def forbidden(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(403, json={"error": "API key not valid"})

    with pytest.raises(PriceSourceUnavailable) as raised:
        fetch("gcp-billing", forbidden, tmp_path, gcp_api_key="secret-key")

    assert "HTTP 403" in raised.value.message
    assert "cloudbilling.googleapis.com" in raised.value.message
    assert "secret-key" not in raised.value.message


def test_aws_offer_files_are_downloaded_per_catalog_region(tmp_path: Path) -> None:
    index = {
        "regions": {
            region: {
                "regionCode": region,
                "currentVersionUrl": f"/offers/v1.0/aws/AmazonEC2/20261101/{region}/index.json",
            }
            for region in ("us-east-1", "eu-west-1", "ap-south-1")
        }
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        if str(request.url) == AWS_EC2_REGION_INDEX:
            return httpx2.Response(200, json=index)
        return httpx2.Response(
            200, content=json.dumps({"offerCode": "AmazonEC2", "url": str(request.url)}).encode()
        )

    paths = fetch("aws-offer", handler, tmp_path)

    downloaded = [json.loads(p.read_text())["url"] for p in paths]
    assert downloaded == [
        f"{AWS_PRICING_ORIGIN}/offers/v1.0/aws/AmazonEC2/20261101/{region}/index.json"
        for region in REGIONS[Provider.AWS]
    ]


def test_a_region_missing_from_the_aws_index_is_named(tmp_path: Path) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"regions": {}})

    with pytest.raises(PriceSourceUnavailable, match="us-east-1"):
        fetch("aws-offer", handler, tmp_path)


def test_connection_refused_names_the_url(tmp_path: Path) -> None:
    with pytest.raises(
        PriceSourceUnavailable, match=f"cannot reach {EC2INSTANCES_URL}: .*Connection refused"
    ):
        fetch("ec2instances", refused, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_http_error_names_the_url_and_status(tmp_path: Path) -> None:
    def unavailable(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(503)

    with pytest.raises(PriceSourceUnavailable, match=r"answered HTTP 503 Service Unavailable"):
        fetch("ec2instances", unavailable, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_answer_that_is_not_json_is_named(tmp_path: Path) -> None:
    def html(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b"<html>maintenance</html>")

    with pytest.raises(PriceSourceUnavailable, match="did not answer JSON"):
        fetch("azure-retail", html, tmp_path)
