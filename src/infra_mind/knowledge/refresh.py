"""Downloads the providers' public price data to files that the importers read.

Each fetcher writes what the importer of the same name expects: ec2instances.info's instances.json, the
Azure Retail Prices pages merged into one `Items` document, the GCP Cloud Billing Catalog pages merged into
one `skus` document, and one AWS EC2 bulk offer file per region. Downloads are streamed to a temporary file
and renamed when complete, so a file in the cache folder is always a whole answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import httpx2
import structlog

from infra_mind.errors import ConfigurationError, PriceSourceUnavailable
from infra_mind.knowledge.models import Provider

log = structlog.get_logger()

EC2INSTANCES_URL = "https://instances.vantage.sh/instances.json"
AZURE_RETAIL_URL = "https://prices.azure.com/api/retail/prices"
AZURE_API_VERSION = "2023-01-01-preview"
AZURE_SERVICE_NAMES = (
    "Virtual Machines",
    "Azure Kubernetes Service",
    "Azure Database for PostgreSQL",
    "Azure Database for MySQL",
    "Storage",
    "Bandwidth",
    "Functions",
    "Application Gateway",
)
GCP_BILLING_URL = "https://cloudbilling.googleapis.com/v1/services/{service}/skus"
GCP_SERVICES = {
    "Compute Engine": "6F81-5844-456A",
    "Cloud SQL": "9662-B51E-5089",
    "Cloud Storage": "95FF-2EF5-5EA1",
    "Kubernetes Engine": "CCD8-9BF1-090E",
}
AWS_PRICING_ORIGIN = "https://pricing.us-east-1.amazonaws.com"
AWS_EC2_REGION_INDEX = f"{AWS_PRICING_ORIGIN}/offers/v1.0/aws/AmazonEC2/current/region_index.json"
GCP_KEY_VARIABLE = "INFRA_MIND_GCP_API_KEY"
MAX_PAGES = 1000


@dataclass(frozen=True)
class RefreshRequest:
    folder: Path
    """Where the downloads are kept; a complete file already there for the same day is reused."""
    as_of: date
    regions: Mapping[Provider, tuple[str, ...]]
    """The regions the catalog covers, per provider: Azure and AWS downloads are limited to them."""
    gcp_api_key: str | None = None


@dataclass(frozen=True)
class Fetched:
    path: Path
    url: str
    reused: bool = False


def fetch_source(source: str, client: httpx2.Client, request: RefreshRequest) -> list[Fetched]:
    """Download `source` (one of FETCHERS) into request.folder; the files to import, in order."""
    request.folder.mkdir(parents=True, exist_ok=True)
    return FETCHERS[source](_Http(client), request)


def _ec2instances(http: _Http, request: RefreshRequest) -> list[Fetched]:
    target = request.folder / f"ec2instances-{request.as_of}.json"
    if _complete(target):
        return [Fetched(target, EC2INSTANCES_URL, reused=True)]
    http.download(EC2INSTANCES_URL, target)
    return [Fetched(target, EC2INSTANCES_URL)]


def _azure_retail(http: _Http, request: RefreshRequest) -> list[Fetched]:
    regions = request.regions.get(Provider.AZURE, ())
    if not regions:
        raise ConfigurationError("no Azure region of the catalog to refresh")
    target = request.folder / f"azure-retail-{request.as_of}-{_tag(regions)}.json"
    if _complete(target):
        return [Fetched(target, AZURE_RETAIL_URL, reused=True)]
    services = " or ".join(f"serviceName eq '{name}'" for name in AZURE_SERVICE_NAMES)
    with _json_array_file(target, "Items", {"BillingCurrency": "USD", "NextPageLink": None}) as items:
        for region in regions:
            query = {
                "api-version": AZURE_API_VERSION,
                "$filter": f"armRegionName eq '{region}' and ({services})",
            }
            url: str | None = str(httpx2.URL(AZURE_RETAIL_URL, params=query))
            for _ in range(MAX_PAGES):
                if url is None:
                    break
                page = http.json(url)
                items(page.get("Items", []))
                url = _same_origin(page.get("NextPageLink"), AZURE_RETAIL_URL)
            else:
                raise PriceSourceUnavailable(f"{AZURE_RETAIL_URL} returned more than {MAX_PAGES} pages")
    return [Fetched(target, AZURE_RETAIL_URL)]


def _gcp_billing(http: _Http, request: RefreshRequest) -> list[Fetched]:
    target = request.folder / f"gcp-billing-{request.as_of}.json"
    first_url = GCP_BILLING_URL.format(service=GCP_SERVICES["Compute Engine"])
    if _complete(target):
        return [Fetched(target, first_url, reused=True)]
    if not request.gcp_api_key:
        raise ConfigurationError(
            f"the GCP Cloud Billing Catalog API needs an API key: set {GCP_KEY_VARIABLE} "
            "(a key of any Google Cloud project with the Cloud Billing API enabled)"
        )
    with _json_array_file(target, "skus", {}) as skus:
        for service in GCP_SERVICES.values():
            url = GCP_BILLING_URL.format(service=service)
            params = {"key": request.gcp_api_key, "currencyCode": "USD", "pageSize": "5000"}
            for _ in range(MAX_PAGES):
                page = http.json(url, params)
                skus(page.get("skus", []))
                token = page.get("nextPageToken")
                if not token:
                    break
                params = {**params, "pageToken": token}
            else:
                raise PriceSourceUnavailable(f"{url} returned more than {MAX_PAGES} pages")
    return [Fetched(target, first_url)]


def _aws_offer(http: _Http, request: RefreshRequest) -> list[Fetched]:
    regions = request.regions.get(Provider.AWS, ())
    if not regions:
        raise ConfigurationError("no AWS region of the catalog to refresh")
    index: dict[str, Any] | None = None
    fetched = []
    for region in regions:
        target = request.folder / f"aws-offer-{region}-{request.as_of}.json"
        if _complete(target):
            fetched.append(Fetched(target, AWS_EC2_REGION_INDEX, reused=True))
            continue
        index = index or http.json(AWS_EC2_REGION_INDEX)
        entry = index.get("regions", {}).get(region)
        if not isinstance(entry, dict) or not entry.get("currentVersionUrl"):
            raise PriceSourceUnavailable(f"{AWS_EC2_REGION_INDEX} lists no EC2 offer file for {region}")
        url = AWS_PRICING_ORIGIN + str(entry["currentVersionUrl"])
        http.download(url, target)
        fetched.append(Fetched(target, url))
    return fetched


FETCHERS: dict[str, Callable[[_Http, RefreshRequest], list[Fetched]]] = {
    "ec2instances": _ec2instances,
    "azure-retail": _azure_retail,
    "gcp-billing": _gcp_billing,
    "aws-offer": _aws_offer,
}


class _Http:
    """The client's calls, with every failure turned into PriceSourceUnavailable naming the URL."""

    def __init__(self, client: httpx2.Client) -> None:
        self._client = client

    def json(self, url: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        with _failures_named(url, params):
            response = self._client.get(url, params=params)
            response.raise_for_status()
            body = response.json()
        if not isinstance(body, dict):
            raise PriceSourceUnavailable(f"{_shown(url, params)} did not answer a JSON object")
        log.info("catalog.refresh.page", url=_shown(url, params))
        return body

    def download(self, url: str, target: Path) -> None:
        with (
            _failures_named(url, None),
            _atomic_file(target) as handle,
            self._client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            for chunk in response.iter_bytes():
                handle.write(chunk)
        log.info("catalog.refresh.downloaded", url=url, path=str(target), bytes=target.stat().st_size)


@contextmanager
def _failures_named(url: str, params: Mapping[str, str] | None) -> Iterator[None]:
    shown = _shown(url, params)
    try:
        yield
    except httpx2.HTTPStatusError as exc:
        status = exc.response.status_code
        raise PriceSourceUnavailable(f"{shown} answered HTTP {status} {exc.response.reason_phrase}") from exc
    except httpx2.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise PriceSourceUnavailable(f"cannot reach {shown}: {reason}") from exc
    except json.JSONDecodeError as exc:
        raise PriceSourceUnavailable(f"{shown} did not answer JSON: {exc}") from exc


def _shown(url: str, params: Mapping[str, str] | None) -> str:
    """The URL as it may be printed: without the API key."""
    return str(httpx2.URL(url, params=params).copy_remove_param("key")) if params else url


def _same_origin(link: object, base: str) -> str | None:
    """A next-page link is followed only to the API it came from."""
    if not link:
        return None
    url = httpx2.URL(str(link))
    expected = httpx2.URL(base)
    if (url.scheme, url.host) != (expected.scheme, expected.host):
        raise PriceSourceUnavailable(f"{base} linked its next page to another host: {url.host}")
    return str(url)


def _tag(regions: tuple[str, ...]) -> str:
    """Names a download by the regions it holds, so a cached file is reused only for the same regions."""
    return hashlib.sha256(",".join(sorted(regions)).encode()).hexdigest()[:8]


def _complete(target: Path) -> bool:
    return target.is_file() and target.stat().st_size > 0


@contextmanager
def _atomic_file(target: Path) -> Iterator[IO[bytes]]:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def _json_array_file(
    target: Path, key: str, other_fields: Mapping[str, Any]
) -> Iterator[Callable[[list[Any]], None]]:
    """A JSON document `{key: [...], **other_fields}` written page by page, never held whole in memory."""
    with _atomic_file(target) as handle:
        written = 0

        def append(items: list[Any]) -> None:
            nonlocal written
            for item in items:
                handle.write(b"," if written else b"")
                handle.write(json.dumps(item, ensure_ascii=False).encode("utf-8"))
                written += 1

        handle.write(b"{" + json.dumps(key).encode() + b": [")
        yield append
        handle.write(b"]")
        for name, value in other_fields.items():
            handle.write(b", " + json.dumps(name).encode() + b": " + json.dumps(value).encode())
        handle.write(b"}\n")
