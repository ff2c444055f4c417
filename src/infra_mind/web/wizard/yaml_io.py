"""A draft's input as a YAML file, and a YAML file read back into a draft."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from infra_mind.errors import InputUnreadable

MAX_IMPORT_BYTES = 256 * 1024
# libyaml when the PyYAML build has it: linear time and a nesting limit, where the pure-Python scanner
# takes seconds on a few thousand nested brackets.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def to_yaml(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False)


def from_yaml(content: bytes) -> dict[str, Any]:
    """The file's input as JSON-compatible data; InputUnreadable says what is wrong with the file."""
    if len(content) > MAX_IMPORT_BYTES:
        raise InputUnreadable(f"the file is larger than {MAX_IMPORT_BYTES // 1024} KiB")
    if not content.strip():
        raise InputUnreadable("the file is empty")
    try:
        text = content.decode("utf-8")
        # An alias repeats its anchor's value: nine nested aliases of nine make a 300-byte file expand
        # to hundreds of millions of values when the data is copied out of YAML's shared references.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_SAFE_LOADER)):
            raise InputUnreadable("anchors and aliases (&name, *name) are not accepted: write each value out")
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except UnicodeDecodeError as exc:
        raise InputUnreadable("the file is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        raise InputUnreadable(f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise InputUnreadable("the file is nested too deeply to be an assessment input") from exc
    if not isinstance(data, Mapping):
        raise InputUnreadable("the file must hold a mapping of sections (company, goals, workloads, …)")
    try:
        plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    except (TypeError, ValueError) as exc:
        raise InputUnreadable(f"the file holds values that are not plain data: {exc}") from exc
    return plain


def export_filename(data: Mapping[str, Any]) -> str:
    company = data.get("company")
    name = company.get("name") if isinstance(company, Mapping) else None
    slug = re.sub(r"[^a-z0-9]+", "-", str(name or "assessment").lower()).strip("-") or "assessment"
    return f"{slug[:60]}.yaml"
