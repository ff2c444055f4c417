"""Every dated record of every catalog file in the knowledge directory: what the freshness audit reads.

The inventory walks the data files themselves rather than Knowledge's look-ups, so a catalog added to the
knowledge base is audited without any change here; a record nested in another (an instance's price per
region) inherits its parent's identity."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from infra_mind.domain.enums import Framework
from infra_mind.errors import CatalogInvalid

IDENTITY_FIELDS = (
    "framework",
    "provider",
    "platform",
    "kind",
    "sku",
    "family",
    "code",
    "control_id",
    "id",
    "key",
    "component",
    "capability",
    "strategy",
)
"""Fields that name a record, in the order they appear in its ref (`region` follows an @); `family` only
when there is no `sku`, which names the family already."""
NAME_FIELDS = ("name", "model")
"""Used only when a record has none of the identity fields."""

KNOWN_FILES = {
    "regions.json": "regions",
    "sla.json": "sla",
    "dr_strategies.json": "dr_strategies",
    "sizing.json": "sizing",
    "well_architected.json": "best_practices",
    "compliance/eligibility.json": "eligibility",
    "compliance/region_authorizations.json": "region_authorizations",
}
KNOWN_FOLDERS = {"instances": "instance_prices", "services": "service_prices"}
FRAMEWORK_FILES = {f"compliance/{f.value}.json" for f in Framework}
RECORDS = "records"


@dataclass(frozen=True)
class DatedRecord:
    kind: str
    catalog: str
    ref: str
    as_of: date | None
    source: str | None
    estimate: str | None
    priced: bool
    framework: str | None = None


class CatalogInventory:
    """Immutable after construction: the dated records, and the catalog files they came from."""

    def __init__(self, records: Iterable[DatedRecord], catalogs: Iterable[str]) -> None:
        self._records = tuple(records)
        self._catalogs = tuple(sorted(catalogs))

    @classmethod
    def load(cls, data_dir: Path) -> CatalogInventory:
        paths = sorted(data_dir.rglob("*.json"))
        if not paths:
            raise CatalogInvalid(f"no catalog files under {data_dir}")
        records: list[DatedRecord] = []
        catalogs = []
        for path in paths:
            relative = path.relative_to(data_dir).as_posix()
            catalogs.append(relative)
            records += _records(path, relative, catalog_kind(PurePosixPath(relative)))
        return cls(records, catalogs)

    @property
    def records(self) -> tuple[DatedRecord, ...]:
        return self._records

    @property
    def catalogs(self) -> tuple[str, ...]:
        return self._catalogs

    def newest_as_of(self) -> date | None:
        return max((r.as_of for r in self._records if r.as_of), default=None)


def catalog_kind(relative: PurePosixPath) -> str:
    """The record kind of a catalog file, from where the knowledge base keeps it."""
    name = relative.as_posix()
    if name in KNOWN_FILES:
        return KNOWN_FILES[name]
    if name in FRAMEWORK_FILES:
        return "controls"
    if len(relative.parts) > 1 and relative.parts[0] in KNOWN_FOLDERS:
        return KNOWN_FOLDERS[relative.parts[0]]
    return ".".join(relative.with_suffix("").parts)


def _records(path: Path, catalog: str, kind: str) -> list[DatedRecord]:
    """Each object in each top-level list is a record; a file's `records` list (or the list named like the
    file) takes the file's kind, any other list `name` the kind `<file kind>.<name>`."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
    sections = (
        [(name, value) for name, value in raw.items() if isinstance(value, list)]
        if isinstance(raw, dict)
        else []
    )
    if not sections:
        raise CatalogInvalid(f"catalog {path} holds no list of records")
    found: list[DatedRecord] = []
    for name, items in sections:
        section_kind = kind if name in (RECORDS, path.stem) else f"{kind}.{name}"
        section: list[tuple[int, DatedRecord]] = []
        for index, record in enumerate(items):
            if not isinstance(record, dict):
                continue
            fallback = f"{catalog}:{name}#{index}"
            dated = list(_dated(record, {}, catalog, section_kind, fallback))
            section += [
                (index, r)
                for r in dated
                or [_record(record, _identity(record, {}), catalog, section_kind, fallback, dated=False)]
            ]
        found += _unique_refs(section)
    return found


def _unique_refs(section: list[tuple[int, DatedRecord]]) -> list[DatedRecord]:
    """Refs that several records share get the record's position in its list, so each ref names one."""
    counts = Counter(r.ref for _, r in section)
    return [replace(r, ref=f"{r.ref}#{index}") if counts[r.ref] > 1 else r for index, r in section]


def _dated(
    node: Mapping[str, Any], inherited: Mapping[str, Any], catalog: str, kind: str, fallback: str
) -> Iterator[DatedRecord]:
    identity = _identity(node, inherited)
    if node.get("as_of") is not None:
        yield _record(node, identity, catalog, kind, fallback, dated=True)
    for value in node.values():
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, dict):
                yield from _dated(child, identity, catalog, kind, fallback)


def _record(
    node: Mapping[str, Any],
    identity: Mapping[str, Any],
    catalog: str,
    kind: str,
    fallback: str,
    *,
    dated: bool,
) -> DatedRecord:
    as_of = None
    if dated:
        try:
            as_of = date.fromisoformat(str(node["as_of"]))
        except ValueError as exc:
            raise CatalogInvalid(f"catalog {catalog}: {fallback} has an invalid as_of: {exc}") from exc
    estimate = node.get("estimate")
    source = node.get("source")
    return DatedRecord(
        kind=kind,
        catalog=catalog,
        ref=_ref(identity) or fallback,
        as_of=as_of,
        source=str(source) if source else None,
        estimate=str(estimate) if estimate else None,
        priced=any("usd" in key for key in node),
        framework=_text(identity.get("framework")),
    )


def _identity(node: Mapping[str, Any], inherited: Mapping[str, Any]) -> dict[str, Any]:
    return {**inherited, **{k: v for k, v in node.items() if isinstance(v, str | int | float)}}


def _ref(identity: Mapping[str, Any]) -> str:
    fields = [f for f in IDENTITY_FIELDS if identity.get(f) not in (None, "")]
    if "sku" in fields and "family" in fields:
        fields.remove("family")
    parts = [
        str(identity[f]) for f in fields or [f for f in NAME_FIELDS if identity.get(f) not in (None, "")]
    ]
    region = identity.get("region")
    return ":".join(parts) + (f"@{region}" if region and parts else "")


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
