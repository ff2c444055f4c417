"""`infra-mind catalog`: import and refresh price data into a catalog snapshot, inspect and compare catalogs.

Exit codes: 0 done; 1 the catalog could not be read or written; 2 a bad argument, an unreadable input file
or a missing setting; 4 a price source could not be fetched (network unreachable, HTTP error).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import httpx2
import typer
from rich.console import Console
from rich.text import Text

from infra_mind.cli.catalog_coverage import coverage_json, coverage_tables
from infra_mind.cli.catalog_views import (
    INSTANCE_KIND,
    SearchFilter,
    diff_tables,
    hits_table,
    instance_tables,
    search,
    service_tables,
    services_by_sku,
)
from infra_mind.cli.settings import settings_or_exit
from infra_mind.config import Settings
from infra_mind.errors import (
    ConfigurationError,
    InfraMindError,
    InputUnreadable,
    InvalidInput,
    PriceSourceUnavailable,
)
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.coverage import coverage
from infra_mind.knowledge.diff import diff_catalogs
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider, ServiceKind
from infra_mind.knowledge.refresh import FETCHERS, RefreshRequest, fetch_source
from infra_mind.knowledge.snapshot import SnapshotSummary, write_snapshot

if TYPE_CHECKING:
    from infra_mind.knowledge.importers import ImportResult

EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_NETWORK = 4
"""A price source could not be fetched: the network is unreachable or the source answered an error."""

SKIPPED_SHOWN = 5
REGIONS_SHOWN = 8
DOWNLOAD_TIMEOUT = httpx2.Timeout(60.0, connect=10.0)
SPECS_FROM_CATALOG = {"azure-retail": Provider.AZURE, "gcp-billing": Provider.GCP}
"""Azure and GCP price files carry no machine specs: the importer takes them from the base catalog."""

SourceArg = Annotated[
    str, typer.Argument(metavar="SOURCE", help=f"price format: {', '.join(FETCHERS)}", show_default=False)
]
IntoOpt = Annotated[
    Path | None,
    typer.Option("--into", help="directory to write the new snapshot to (default: INFRA_MIND_KNOWLEDGE_DIR)"),
]
FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from", help="catalog to start from (default: INFRA_MIND_KNOWLEDGE_DIR, else the packaged one)"
    ),
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog", help="catalog directory (default: INFRA_MIND_KNOWLEDGE_DIR, else the packaged one)"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]
KnownOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--known-only", help="only update instance types and service prices the catalog already has"
    ),
]


def catalog_app(
    transport: httpx2.BaseTransport | None = None, today: Callable[[], date] | None = None
) -> typer.Typer:
    """The sub-app; tests pass an httpx2 transport (and a clock) instead of reaching the network."""
    app = typer.Typer(no_args_is_help=True, help="Import, refresh, inspect and compare the price catalog.")
    clock = today or (lambda: datetime.now(UTC).date())

    @app.command("import")
    def import_(
        source: SourceArg,
        file: Annotated[
            Path, typer.Argument(metavar="FILE", help="the downloaded price file", show_default=False)
        ],
        into: IntoOpt = None,
        from_: FromOpt = None,
        as_of: Annotated[
            datetime | None,
            typer.Option("--as-of", formats=["%Y-%m-%d"], help="date the prices were read (default: today)"),
        ] = None,
        known_only: KnownOnlyOpt = False,
    ) -> None:
        """Read a provider price file and write the catalog with its prices merged in as a new snapshot."""
        errors = Console(stderr=True, soft_wrap=True)
        settings = settings_or_exit(errors)
        _check_source(source, errors)
        base, target = _base_dir(from_, settings, errors, "--from"), _target_dir(into, settings, errors)
        stamp = as_of.date() if as_of else clock()
        with _reported(errors):
            result = _import(source, file, stamp, lambda: Knowledge.load(base))
            summary = write_snapshot(base, [result], target, known_only=known_only)
        _print_outcome(Console(soft_wrap=True), [result], summary, target)

    @app.command()
    def refresh(
        source: SourceArg,
        into: IntoOpt = None,
        from_: FromOpt = None,
        file_cache: Annotated[
            Path | None,
            typer.Option(
                "--file-cache",
                help="keep the downloads in DIR; a file downloaded there the same day is reused",
            ),
        ] = None,
        region: Annotated[
            list[str] | None,
            typer.Option(help="only this catalog region, repeatable (default: every region of the catalog)"),
        ] = None,
        known_only: KnownOnlyOpt = False,
    ) -> None:
        """Download a source's current public prices and import them (exit 4 when it cannot be fetched)."""
        errors = Console(stderr=True, soft_wrap=True)
        settings = settings_or_exit(errors)
        _check_source(source, errors)
        base, target = _base_dir(from_, settings, errors, "--from"), _target_dir(into, settings, errors)
        stamp = clock()
        with _reported(errors), _download_folder(file_cache) as folder:
            knowledge = Knowledge.load(base)
            regions = _regions(knowledge, region, errors)
            key = settings.gcp_api_key.get_secret_value() if settings.gcp_api_key else None
            request = RefreshRequest(folder=folder, as_of=stamp, regions=regions, gcp_api_key=key)
            with httpx2.Client(
                transport=transport, timeout=DOWNLOAD_TIMEOUT, follow_redirects=True
            ) as client:
                fetched = fetch_source(source, client, request)
            for item in fetched:
                note = "reused" if item.reused else "downloaded"
                errors.print(f"{note} {item.path}", highlight=False)
            results = [_import(source, item.path, stamp, lambda: knowledge) for item in fetched]
            summary = write_snapshot(base, results, target, known_only=known_only)
        _print_outcome(Console(soft_wrap=True), results, summary, target)

    @app.command()
    def show(
        provider: Annotated[Provider, typer.Argument(metavar="PROVIDER", show_default=False)],
        sku: Annotated[str, typer.Argument(help="instance type or service SKU", show_default=False)],
        region: Annotated[str | None, typer.Option(help="only this region's prices")] = None,
        catalog: CatalogOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """An instance type's specs and prices, or a service SKU's prices, with sources and estimates."""
        errors = Console(stderr=True, soft_wrap=True)
        with _reported(errors):
            knowledge = Knowledge.load(_base_dir(catalog, settings_or_exit(errors), errors, "--catalog"))
        instance = knowledge.instance(provider, sku)
        services = services_by_sku(knowledge, provider, sku)
        if region is not None:
            services = [s for s in services if s.region == region]
        if instance is None and not services:
            _unknown_sku(knowledge, provider, sku, region, errors)
        if as_json:
            payload = {
                "instance": _instance_json(instance, region) if instance else None,
                "services": [s.model_dump(mode="json") for s in services],
            }
            typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        console = Console()
        shown = [
            *(instance_tables(instance, region) if instance else []),
            *(service_tables(services) if services else []),
        ]
        for item in shown:
            if isinstance(item, str):
                console.print(item, highlight=False, markup=False)
            else:
                console.print(item)

    @app.command("search")
    def search_(
        text: Annotated[str, typer.Argument(help="part of a SKU, family, service or GPU name")] = "",
        provider: Annotated[Provider | None, typer.Option()] = None,
        kind: Annotated[
            str | None, typer.Option(help=f"'{INSTANCE_KIND}' or a service kind, e.g. managed_postgresql")
        ] = None,
        category: Annotated[InstanceCategory | None, typer.Option(help="instance category")] = None,
        region: Annotated[str | None, typer.Option(help="priced in this region (its price is shown)")] = None,
        min_vcpu: Annotated[int | None, typer.Option(min=1)] = None,
        max_vcpu: Annotated[int | None, typer.Option(min=1)] = None,
        min_memory: Annotated[float | None, typer.Option(min=0, help="GiB")] = None,
        max_memory: Annotated[float | None, typer.Option(min=0, help="GiB")] = None,
        gpu: Annotated[bool, typer.Option("--gpu", help="GPU instances only")] = False,
        max_price: Annotated[float | None, typer.Option(min=0, help="USD per unit")] = None,
        limit: Annotated[int, typer.Option(min=1)] = 50,
        catalog: CatalogOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Instance types and service SKUs matching TEXT and the filters, cheapest first per kind."""
        errors = Console(stderr=True, soft_wrap=True)
        if kind is not None and kind != INSTANCE_KIND and kind not in set(ServiceKind):
            choices = ", ".join([INSTANCE_KIND, *ServiceKind])
            _invalid(errors, "--kind", f"unknown kind {kind!r}; choose one of: {choices}")
        with _reported(errors):
            knowledge = Knowledge.load(_base_dir(catalog, settings_or_exit(errors), errors, "--catalog"))
        wanted = SearchFilter(
            text=text,
            provider=provider,
            kind=kind,
            category=category,
            region=region,
            min_vcpu=min_vcpu,
            max_vcpu=max_vcpu,
            min_memory_gib=min_memory,
            max_memory_gib=max_memory,
            gpu=gpu,
            max_usd=max_price,
        )
        hits = search(knowledge, wanted)[:limit]
        if as_json:
            typer.echo(json.dumps([h.as_json() for h in hits], indent=2, ensure_ascii=False))
        else:
            Console().print(hits_table(hits, region=region))

    @app.command("stats")
    def stats(catalog: CatalogOpt = None, as_json: JsonOpt = False) -> None:
        """How broad and how firm the catalog is per provider: regions, families, prices read or estimated."""
        errors = Console(stderr=True, soft_wrap=True)
        with _reported(errors):
            knowledge = Knowledge.load(_base_dir(catalog, settings_or_exit(errors), errors, "--catalog"))
        report = coverage(knowledge)
        if as_json:
            typer.echo(json.dumps(coverage_json(report), indent=2))
            return
        console = Console()
        for table in coverage_tables(report):
            console.print(table)

    @app.command("diff")
    def diff_(
        old_dir: Annotated[Path, typer.Argument(help="the earlier catalog snapshot", show_default=False)],
        new_dir: Annotated[Path, typer.Argument(help="the later catalog snapshot", show_default=False)],
        as_json: JsonOpt = False,
        min_change: Annotated[
            float, typer.Option("--min-change", min=0, help="hide price changes smaller than PCT percent")
        ] = 0.0,
        limit: Annotated[int, typer.Option(min=1, help="rows per table")] = 50,
    ) -> None:
        """Prices added, removed and changed between two catalog snapshots, largest change first."""
        errors = Console(stderr=True, soft_wrap=True)
        for name, folder in (("OLD_DIR", old_dir), ("NEW_DIR", new_dir)):
            if not (folder / "regions.json").is_file():
                _invalid(errors, name, f"{folder} is not a catalog directory (no regions.json)")
        with _reported(errors):
            result = diff_catalogs(old_dir, new_dir).with_min_change(min_change)
        if as_json:
            typer.echo(result.model_dump_json(indent=2))
            return
        console = Console()
        if result.empty:
            console.print("no price differences")
        for table in diff_tables(result, limit=limit):
            console.print(table)

    return app


def _check_source(source: str, console: Console) -> None:
    if source not in FETCHERS:
        _invalid(console, "SOURCE", f"unknown price source {source!r}; choose one of: {', '.join(FETCHERS)}")


def _base_dir(chosen: Path | None, settings: Settings, console: Console, option: str) -> Path:
    base = chosen or settings.knowledge_dir or packaged_data_dir()
    if not (base / "regions.json").is_file():
        named = option if chosen else "INFRA_MIND_KNOWLEDGE_DIR"
        _invalid(console, named, f"{base} is not a catalog directory (no regions.json)")
    return base


def _target_dir(chosen: Path | None, settings: Settings, console: Console) -> Path:
    target = chosen or settings.knowledge_dir
    if target is None:
        _invalid(
            console,
            "--into",
            "a target directory is needed: pass --into DIR or set INFRA_MIND_KNOWLEDGE_DIR "
            "(the packaged catalog is never written to)",
        )
    if target.resolve().is_relative_to(packaged_data_dir().resolve()):
        _invalid(console, "--into", f"{target} is the packaged catalog, which is never written to")
    return target


def _regions(
    knowledge: Knowledge, chosen: list[str] | None, console: Console
) -> dict[Provider, tuple[str, ...]]:
    covered = {p: tuple(r.code for r in knowledge.regions(p)) for p in Provider}
    unknown = sorted(set(chosen or ()) - {code for codes in covered.values() for code in codes})
    if unknown:
        _invalid(console, "--region", f"not a region of the catalog: {', '.join(unknown)}")
    return {p: tuple(c for c in codes if chosen is None or c in chosen) for p, codes in covered.items()}


def _import(source: str, path: Path, as_of: date, catalog: Callable[[], Knowledge]) -> ImportResult:
    # Imported here so that `assess` does not load the parsers (and their streaming JSON reader).
    from infra_mind.knowledge.importers import import_file, known_instances

    provider = SPECS_FROM_CATALOG.get(source)
    known = known_instances(catalog(), provider) if provider else None
    return import_file(source, path, as_of, known=known)


@contextmanager
def _download_folder(chosen: Path | None) -> Iterator[Path]:
    if chosen is not None:
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="infra-mind-refresh-") as folder:
        yield Path(folder)


@contextmanager
def _reported(console: Console) -> Iterator[None]:
    """Errors as one clear line and the documented exit code, never a traceback."""
    try:
        yield
    except InvalidInput as exc:
        for error in exc.errors:
            console.print(Text.assemble(("invalid ", "red"), f"{error.path or 'input'}: {error.message}"))
        raise typer.Exit(EXIT_INVALID) from exc
    except (InputUnreadable, ConfigurationError) as exc:
        console.print(Text.assemble(("error: ", "red"), exc.message))
        raise typer.Exit(EXIT_INVALID) from exc
    except PriceSourceUnavailable as exc:
        console.print(Text.assemble(("price source unavailable: ", "red"), exc.message))
        raise typer.Exit(EXIT_NETWORK) from exc
    except InfraMindError as exc:
        console.print(Text.assemble(("error: ", "red"), exc.message))
        raise typer.Exit(EXIT_ERROR) from exc
    except OSError as exc:
        console.print(
            Text.assemble(("error: ", "red"), f"{exc.filename or ''} {exc.strerror or exc}".strip())
        )
        raise typer.Exit(EXIT_ERROR) from exc


def _invalid(console: Console, field: str, message: str) -> NoReturn:
    console.print(Text.assemble(("invalid ", "red"), f"{field}: {message}"))
    raise typer.Exit(EXIT_INVALID)


def _unknown_sku(
    knowledge: Knowledge, provider: Provider, sku: str, region: str | None, console: Console
) -> NoReturn:
    known = [i.sku for i in knowledge.instances(provider)]
    close = get_close_matches(sku, known, n=3)
    where = f" in {region}" if region else ""
    hint = f"; did you mean {', '.join(close)}?" if close else "; try `infra-mind catalog search`"
    _invalid(console, "SKU", f"{provider.value} has no instance type or service SKU {sku!r}{where}{hint}")


def _instance_json(instance: InstanceType, region: str | None) -> dict[str, object]:
    data = instance.model_dump(mode="json")
    data["prices"] = [p for p in data["prices"] if region in (None, p["region"])]
    return data


def _print_outcome(
    console: Console, results: Sequence[ImportResult], summary: SnapshotSummary, target: Path
) -> None:
    skipped = [s for r in results for s in r.skipped]
    instances = sum(len(r.instances) for r in results)
    services = sum(len(r.services) for r in results)
    console.print(f"read {', '.join(r.source for r in results)}", highlight=False)
    console.print(
        f"  instances: {instances} ({summary.instances_added} new, {summary.instances_updated} updated)\n"
        f"  instance prices: {summary.prices_written} ({summary.prices_added} new, "
        f"{summary.prices_replaced} replaced)\n"
        f"  service prices: {services} ({summary.services_added} new, {summary.services_replaced} replaced)\n"
        f"  skipped: {len(skipped)}",
        highlight=False,
    )
    for item in skipped[:SKIPPED_SHOWN]:
        console.print(f"    {item.item}: {item.reason}", markup=False, highlight=False)
    if len(skipped) > SKIPPED_SHOWN:
        console.print(f"    … and {len(skipped) - SKIPPED_SHOWN} more", highlight=False)
    if summary.not_in_catalog:
        console.print(
            f"  left out: {summary.not_in_catalog} instance type(s) or service price(s) not in the catalog "
            "(--known-only)",
            highlight=False,
        )
    if summary.outside_regions:
        outside = sorted(summary.outside_regions)
        regions = ", ".join(outside[:REGIONS_SHOWN]) + (" …" if len(outside) > REGIONS_SHOWN else "")
        console.print(
            f"  left out: {summary.prices_outside_regions} price(s) in regions the catalog does not cover "
            f"({regions})",
            highlight=False,
        )
    console.print(f"wrote the catalog snapshot {target}", highlight=False)
    console.print(f"use it with: INFRA_MIND_KNOWLEDGE_DIR={target} infra-mind assess …", highlight=False)
